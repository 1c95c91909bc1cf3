export async function runStats(_file: string, _args: string[]): Promise<void> {}
