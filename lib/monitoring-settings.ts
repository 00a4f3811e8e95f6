import type { z } from "zod";
import type { MonitoringSchema } from "../stacks/schema";
import type { SameShape } from "./args-error";
import type { ContainerResources, StorageBackend } from "./types";

// The shape of a stack file's `monitoring`, written out as interfaces so that the component package's schema
// lists every setting with its type and description. Values are validated with the stack schema itself
// (MonitoringSchema); the check at the end of the file fails compilation when the two disagree.

/** Prometheus' replicas, storage and resources. */
export interface PrometheusSettings {
  /** Replicas of Prometheus (1 to 5); each scrapes every target. */
  replicas: number;
  /** Cap on the TSDB's size on disk (Prometheus' retentionSize, e.g. 45GB); at most 85% of storageSize (compaction needs the rest). */
  retentionSize: string;
  /** Size of each replica's PersistentVolumeClaim (Kubernetes quantity, e.g. 50Gi). */
  storageSize: string;
  /** How often Prometheus scrapes and evaluates every rule (Prometheus duration, e.g. 30s; at most 1m: the chart's node and network rules take rates over 2m windows). */
  scrapeInterval: string;
  /** Requests and limits of the Prometheus container. */
  resources: ContainerResources;
}

/** Alertmanager's replicas, storage and resources. */
export interface AlertmanagerSettings {
  /** Replicas of Alertmanager (1 to 5), clustered. */
  replicas: number;
  /** Size of each replica's PersistentVolumeClaim (silences and notification log). */
  storageSize: string;
  /** Requests and limits of the Alertmanager container. */
  resources: ContainerResources;
}

/** Grafana's replicas and resources. */
export interface GrafanaSettings {
  /** Replicas of Grafana: must be 1 (Grafana keeps its users and sessions in a per-pod SQLite database). */
  replicas: number;
  /** Requests and limits of the Grafana container. */
  resources: ContainerResources;
}

/** Loki's storage, replicas and resources. */
export interface LokiSettings {
  /** filesystem: one Loki with a PersistentVolume; s3: object storage in a bucket the component creates. */
  storage: StorageBackend;
  /** Replicas of Loki (1 to 5). */
  replicas: number;
  /** Size of each replica's PersistentVolumeClaim. */
  storageSize: string;
  /** Requests and limits of the Loki container. */
  resources: ContainerResources;
}

/** Tempo's storage and resources: monolithic, one replica (a single binary cannot share its ingester ring). */
export interface TempoSettings {
  /** filesystem: traces on Tempo's PersistentVolume; s3: blocks in a bucket the component creates (the WAL stays on the volume). */
  storage: StorageBackend;
  /** Size of Tempo's PersistentVolumeClaim. */
  storageSize: string;
  /** Requests and limits of the Tempo container. */
  resources: ContainerResources;
}

/** Alloy's resources (one pod per node: logs and OTLP spans). */
export interface AlloySettings {
  /** Requests and limits of each Alloy container. */
  resources: ContainerResources;
}

/** The blackbox exporter's replicas and resources. */
export interface BlackboxSettings {
  /** Replicas of the blackbox exporter (1 to 5). */
  replicas: number;
  /** Requests and limits of the blackbox exporter's container. */
  resources: ContainerResources;
}

/** Replicas, sizes and resources of the monitoring stack's parts, in the shape of a stack file's `monitoring`. */
export interface MonitoringSettings {
  /** Prometheus: replicas, retention size, volume, scrape interval and resources. */
  prometheus: PrometheusSettings;
  /** Alertmanager: replicas, volume and resources. */
  alertmanager: AlertmanagerSettings;
  /** Grafana: one replica and its resources. */
  grafana: GrafanaSettings;
  /** Loki, the log store: storage, replicas, volume and resources. */
  loki: LokiSettings;
  /** Tempo, the trace store: storage, volume and resources. */
  tempo: TempoSettings;
  /** Alloy, the node agent that ships logs and receives OTLP spans. */
  alloy: AlloySettings;
  /** The blackbox exporter, which probes the apps' endpoints. */
  blackbox: BlackboxSettings;
}

// Grafana's replicas is the literal 1 in the schema (so its message can say why); the interface says number,
// the only type other languages can express, and validation refuses anything but 1.
type Parsed = z.output<typeof MonitoringSchema>;
const sameAsTheStackSchema: SameShape<MonitoringSettings, Omit<Parsed, "grafana"> & { grafana: Omit<Parsed["grafana"], "replicas"> & { replicas: number } }> = true;
void sameAsTheStackSchema;
