// A team's own cluster monitoring, from the platform's library: the same Prometheus, Alertmanager, Grafana,
// Loki, Tempo and Alloy the platform runs, with the team's sizes, retention and one database exporter.
// `platform/monitoring` is an entry of its own; the main entry `platform` does not load @pulumi/aws.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { MonitoringStack } from "platform/monitoring";

const config = new pulumi.Config("observability");

// The explicit provider every object goes through: no ambient kubeconfig context.
const cluster = new k8s.Provider("cluster", { context: config.require("kubeContext") });

const small = (cpu: string, memory: string) => ({ requests: { cpu, memory }, limits: { cpu, memory } });

const monitoring = new MonitoringStack(
  "observability",
  {
    environment: "staging",
    clusterName: "payments-staging",
    domain: "payments.example.com",
    monitoring: {
      prometheus: { replicas: 1, retentionSize: "40GB", storageSize: "50Gi", scrapeInterval: "30s", resources: small("500m", "2Gi") },
      alertmanager: { replicas: 1, storageSize: "1Gi", resources: small("50m", "64Mi") },
      grafana: { replicas: 1, resources: small("100m", "256Mi") },
      loki: { replicas: 1, storage: "filesystem", storageSize: "20Gi", resources: small("250m", "512Mi") },
      tempo: { storage: "filesystem", storageSize: "10Gi", resources: small("100m", "512Mi") },
      alloy: { resources: small("50m", "128Mi") },
      blackbox: { replicas: 1, resources: small("25m", "32Mi") },
    },
    metricsRetention: "15d",
    logRetention: "14d",
    appNamespaces: ["payments"],
    // The ledger's verify-full connection needs the CA bundle this image carries (components/backups/image).
    serverCaImage: "ghcr.io/example/platform-pg-backup:15.18-1",
    databases: [
      {
        name: "ledger",
        host: "ledger.db.internal",
        port: 5432,
        database: "ledger",
        user: "monitor",
        sslMode: "verify-full",
        passwordSecret: { name: "ledger-db-monitor", key: "password" },
      },
    ],
  },
  { providers: { kubernetes: cluster } },
);

export const prometheusUrl = monitoring.urls.prometheus;
export const namespace = monitoring.namespace;
