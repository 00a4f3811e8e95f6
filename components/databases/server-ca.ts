/**
 * The CA bundle the database servers' certificates chain to, as the backup image carries it
 * (components/backups/image: AWS RDS's global bundle unless the image is built with another). libpq's
 * verify-ca and verify-full need one and otherwise look for ~/.postgresql/root.crt, which no pod has: without
 * it every connection of a verifying job fails.
 */
export const POSTGRES_SERVER_CA_FILE = "/etc/ssl/certs/postgres-server-ca.pem";

/** Whether an sslmode checks the server's certificate against a CA (and so needs the bundle). */
export function verifiesServerCertificate(sslMode: string): boolean {
  return sslMode === "verify-ca" || sslMode === "verify-full";
}
