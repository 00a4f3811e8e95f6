export * from "./backup-bucket";
export * from "./backup-cronjobs";
export * from "./backup-policies";
export * from "./database-backups";
export * from "./postgres-backup";
export * from "./pushgateway-network-policies";
