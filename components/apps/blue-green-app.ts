import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { type AppSettings, type Color, COLORS, configSecretEnv } from "../../stacks/apps-schema";
import { SECRET_CHECKSUM_ANNOTATION, secretChecksum, withPodTemplateAnnotations } from "../core/secret-checksum";
import { BlackboxProbe } from "../monitoring/blackbox-exporter";
import { type Environment, resolveAppSpec, type StackTelemetry } from "./app-spec";
import { blueGreenManifests } from "./blue-green-manifests";
import { gateScript } from "./gate/gate-script";
import { appExternalSecretManifest, RELOADER_SECRET_ANNOTATION } from "./external-secret";

// Reloader reads its annotation on the Deployment itself; the checksum belongs on the pod template.
const checksumOnly = (a: Record<string, pulumi.Input<string>>) => Object.fromEntries(Object.entries(a).filter(([k]) => k !== RELOADER_SECRET_ANNOTATION));
const reloadOnly = (a: Record<string, pulumi.Input<string>>) => Object.fromEntries(Object.entries(a).filter(([k]) => k === RELOADER_SECRET_ANNOTATION));

function withDeploymentAnnotations<T extends { metadata?: { annotations?: Record<string, string> } }>(deployment: T, annotations: Record<string, unknown>): T {
  if (Object.keys(annotations).length === 0) return deployment;
  return { ...deployment, metadata: { ...deployment.metadata, annotations: { ...deployment.metadata?.annotations, ...annotations } } } as T;
}

export interface BlueGreenAppArgs {
  /** One entry of `platform:apps`, validated by AppsSchema. */
  readonly app: AppSettings;
  /** Stack environment; production keeps the idle colour warm and spreads pods over zones. */
  readonly environment: Environment;
  /** Namespace of Prometheus (queried by the gate), the blackbox exporter and Alloy (which receives the app's spans). */
  readonly monitoringNamespace: string;
  /** The stack's logLevel and traceSamplingPercent, which the app runs with unless it sets its own. */
  readonly telemetry: StackTelemetry;
  /** Secret values by Pulumi config key: exactly the keys the app's secretEnv names (appNamedSecrets), each of them set. */
  readonly secrets: Readonly<Record<string, pulumi.Output<string> | undefined>>;
}



/**
 * An app deployed blue-green, Argo Rollouts style, inside `pulumi up`: two Deployments (blue, green), an
 * active and a preview Service, and a gate Job that must pass before the Services' selectors follow
 * `activeColor`. Pulumi waits for the Job, so a failed gate fails the update while traffic stays put.
 *
 * Ordering, all through dependsOn:
 *   colour Deployment (activeColor) → gate Job → active + preview Services → [scale-down delay Job] → idle
 *   colour's shrink (only when the idle colour keeps fewer replicas than it may have had).
 */
export class BlueGreenApp extends pulumi.ComponentResource {
  public readonly deployments: Readonly<Record<Color, k8s.apps.v1.Deployment>>;
  public readonly activeService: k8s.core.v1.Service;
  public readonly previewService: k8s.core.v1.Service;
  public readonly gateJob: k8s.batch.v1.Job;

  constructor(name: string, args: BlueGreenAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:apps:BlueGreenApp", name, {}, opts);
    const spec = resolveAppSpec(args.app, args.environment, args.monitoringNamespace, args.telemetry);
    const m = blueGreenManifests(spec, gateScript());
    const child = { parent: this };
    // Resolved first: a missing secret must stop the program before any child is registered.
    const stringData = secretStringData(args.app, args.secrets);
    // The builders type their output with kubernetes-types, which leaves optional a few fields Pulumi's
    // input types require (a workload's spec, HostAlias.ip); the `as ...Args` casts below bridge only that.

    const serviceAccount = new k8s.core.v1.ServiceAccount(`${name}-sa`, m.serviceAccount, child);
    const secret = m.secret && new k8s.core.v1.Secret(`${name}-env`, { ...m.secret, stringData }, child);
    // Pods read the Secret through env, which a running pod never re-reads: a rotated secret
    // (`pulumi config set --secret`) must change the pod template, or the pods keep the old value.
    const podAnnotations: Record<string, pulumi.Input<string>> = secret ? { [SECRET_CHECKSUM_ANNOTATION]: secretChecksumOf(`${name}-secret-checksum-salt`, stringData, this) } : {};
    // Secrets Manager entries: ESO syncs them into their own Secret, without `pulumi up`, so Reloader (not the
    // checksum) rolls the pods when one changes.
    const externalSecretManifest = appExternalSecretManifest(args.app, args.environment);
    const externalSecret = externalSecretManifest && new k8s.apiextensions.CustomResource(`${name}-external-env`, externalSecretManifest, child);
    if (externalSecretManifest) podAnnotations[RELOADER_SECRET_ANNOTATION] = externalSecretManifest.spec.target.name;
    const podInputs = [serviceAccount, ...(secret ? [secret] : []), ...(externalSecret ? [externalSecret] : [])];
    const gateConfigMap = new k8s.core.v1.ConfigMap(`${name}-gate-script`, m.gateConfigMap, child);
    const colorServices = Object.fromEntries(
      COLORS.map((c) => [c, new k8s.core.v1.Service(`${name}-${c}-svc`, m.colorServices[c], child)]),
    ) as Record<Color, k8s.core.v1.Service>;
    for (const c of COLORS) new k8s.policy.v1.PodDisruptionBudget(`${name}-${c}-pdb`, m.podDisruptionBudgets[c], child);
    const gateEgress = new k8s.networking.v1.NetworkPolicy(`${name}-gate-egress`, m.gateNetworkPolicies.egress, child);
    const gateIngress = new k8s.networking.v1.NetworkPolicy(`${name}-gate-ingress`, m.gateNetworkPolicies.ingress, child);

    const deployments: Partial<Record<Color, k8s.apps.v1.Deployment>> = {};
    const colorWorkload = (c: Color, after: pulumi.Resource[]) => {
      const deployment = withDeploymentAnnotations(withPodTemplateAnnotations(m.deployments[c], checksumOnly(podAnnotations)), reloadOnly(podAnnotations)) as k8s.apps.v1.DeploymentArgs;
      deployments[c] = new k8s.apps.v1.Deployment(`${name}-${c}`, deployment, { parent: this, dependsOn: [...podInputs, ...after] });
      const hpa = m.horizontalPodAutoscalers[c];
      if (hpa) new k8s.autoscaling.v2.HorizontalPodAutoscaler(`${name}-${c}-hpa`, hpa as k8s.autoscaling.v2.HorizontalPodAutoscalerArgs, { parent: this, dependsOn: [deployments[c]!, ...after] });
    };

    colorWorkload(spec.activeColor, []);
    this.gateJob = new k8s.batch.v1.Job(`${name}-gate`, m.gateJob as k8s.batch.v1.JobArgs, {
      parent: this,
      dependsOn: [deployments[spec.activeColor]!, colorServices[spec.activeColor], gateConfigMap, gateEgress, gateIngress],
    });
    const afterGate = { parent: this, dependsOn: [this.gateJob] };
    this.activeService = new k8s.core.v1.Service(`${name}-active`, m.activeService, afterGate);
    this.previewService = new k8s.core.v1.Service(`${name}-preview`, m.previewService, afterGate);
    const switched = [this.activeService, this.previewService];
    const delay = m.scaleDownDelayJob && new k8s.batch.v1.Job(`${name}-scale-down-delay`, m.scaleDownDelayJob as k8s.batch.v1.JobArgs, { parent: this, dependsOn: switched });
    colorWorkload(spec.idleColor, spec.colors[spec.idleColor].shrinksAfterSwitch ? (delay ? [delay] : switched) : []);
    this.deployments = deployments as Record<Color, k8s.apps.v1.Deployment>;

    new k8s.apiextensions.CustomResource(`${name}-monitor`, m.serviceMonitor, child);
    new BlackboxProbe(`${name}-probe`, { ...m.probe, monitoringNamespace: args.monitoringNamespace }, child);

    this.registerOutputs({ activeService: this.activeService.metadata.name, previewService: this.previewService.metadata.name });
  }
}

/**
 * The keyed checksum of an app's secret values, salted with a random value kept in Pulumi's state only. It
 * reveals nothing about the values, so it is deliberately not secret: a secret annotation would make the
 * whole Deployment spec "[secret]" in every preview.
 */
function secretChecksumOf(saltName: string, stringData: Record<string, pulumi.Output<string>>, parent: pulumi.Resource): pulumi.Output<string> {
  const salt = new random.RandomPassword(saltName, { length: 32, special: false }, { parent });
  return pulumi.unsecret(pulumi.all([salt.result, pulumi.all(stringData)]).apply(([key, values]) => secretChecksum(key, values)));
}

/**
 * The app Secret's stringData: each secretEnv variable from its Pulumi secret, kept secret whatever the
 * caller passed. A secret the app needs but the stack lacks fails the program before anything is created.
 */
export function secretStringData(app: AppSettings, secrets: BlueGreenAppArgs["secrets"]): Record<string, pulumi.Output<string>> {
  const data: Record<string, pulumi.Output<string>> = {};
  for (const [variable, key] of Object.entries(configSecretEnv(app))) {
    const value = secrets[key];
    if (value === undefined) {
      throw new Error(`app "${app.name}": secretEnv.${variable} reads the secret ${key}, which is not set: pulumi config set --secret ${key} <value>`);
    }
    data[variable] = pulumi.secret(value);
  }
  return data;
}
