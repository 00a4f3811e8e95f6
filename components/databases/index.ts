export * from "./credentials";
export * from "./database-credentials";
