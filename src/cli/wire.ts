export async function dumpWireEvents(_file: string): Promise<void> {}
