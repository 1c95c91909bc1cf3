/** The runtime's activity for `gotrace stats` and the Overview page: the model counts it as the timeline is built (model/activity.ts). */
export * from "../model/activity.js";
