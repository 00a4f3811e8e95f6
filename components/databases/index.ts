export * from "./credentials";
export * from "./database-credentials";
export * from "./server-ca";
