// One team's app stack: its namespace and one blue-green app, from the platform's library. Nothing here
// knows the platform's own stack files; every argument is the component's own, documented in its Args.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { BlueGreenApp, type Color, PlatformNamespace } from "platform";

const config = new pulumi.Config("checkout");

// The explicit provider every object goes through, as with pulumi-eks: no ambient kubeconfig context.
const cluster = new k8s.Provider("cluster", { context: config.require("kubeContext") });
const providers = { kubernetes: cluster };

const shop = new PlatformNamespace(
  "shop",
  {
    name: "shop",
    environment: "production",
    team: "checkout",
    quota: { requestsCpu: "8", requestsMemory: "16Gi", limitsCpu: "16", limitsMemory: "32Gi", pods: 60, persistentVolumeClaims: 0, loadBalancers: 0 },
    limitRange: { defaultRequest: { cpu: "100m", memory: "128Mi" }, defaultLimit: { cpu: "500m", memory: "512Mi" }, maxLimit: { cpu: "2", memory: "4Gi" } },
    maxNodes: 10,
  },
  { providers },
);

const checkout = new BlueGreenApp(
  "checkout",
  {
    name: "checkout",
    namespace: "shop",
    environment: "production",
    port: 8080,
    images: { blue: "ghcr.io/example/checkout:2.3.0", green: "ghcr.io/example/checkout:2.4.0" },
    activeColor: config.require("activeColor") as Color,
    replicas: 3,
    resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    env: { PAYMENT_PROVIDER: "stripe" },
    secretEnv: { DATABASE_URL: config.requireSecret("databaseUrl") },
    gate: { paths: [{ path: "/api/v1/cart", expectedStatus: 200 }] },
  },
  { providers, dependsOn: [shop] },
);

export const namespace = shop.namespaceName;
export const activeService = checkout.activeServiceName;
export const previewService = checkout.previewServiceName;
