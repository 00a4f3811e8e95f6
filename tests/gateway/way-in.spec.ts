import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ACME_SERVERS } from "../../components/certificates/cluster-issuer";
import { toYaml } from "../../components/core/yaml";
import { ENVOY_PROXY_IMAGE, ENVOY_PROXY_POD_LABELS } from "../../components/gateway/gateway-manifests";
import { selectorMatches } from "../../policy/rules/kubernetes";
import { containerImages } from "../../plan/images";
import { schemaLocation, writeCrdSchemas } from "../../plan/crd-schemas";
import { toolPath } from "../../plan/tools";
import { resolvePromtool, runPromtool } from "../promtool";
import { committedSettings, planStack, type StackPlan, STACKS } from "../harness";

/** Issue #13: every public hostname, end to end, on the rendered objects of both stacks. */

type Obj = Record<string, any>;
const objects = (plan: StackPlan): Obj[] => plan.resources.filter((r) => r.custom && typeof r.inputs.kind === "string").map((r) => r.inputs as Obj);
const ofKind = (plan: StackPlan, kind: string) => objects(plan).filter((o) => o.kind === kind);
const nsLabel = "kubernetes.io/metadata.name";
const allows = (policy: Obj, direction: "ingress" | "egress", peer: (p: Obj) => boolean, port: number) =>
  (policy.spec[direction] ?? []).some((rule: Obj) => (rule[direction === "ingress" ? "from" : "to"] ?? []).some(peer) && (rule.ports ?? []).some((p: Obj) => p.port === port));

const sameLabels = (a: unknown, b: Record<string, string>) => JSON.stringify(Object.entries((a ?? {}) as object).sort()) === JSON.stringify(Object.entries(b).sort());

/** The hostnames users reach, with the Service and pods each must end at. */
function expectedHostnames(stack: (typeof STACKS)[number]) {
  const settings = committedSettings(stack);
  return [
    { name: "grafana", host: `grafana.${settings.domain}`, namespace: "monitoring", service: "kube-prometheus-stack-grafana", port: 80, podPort: 3000, health: "/api/health", app: undefined },
    ...settings.apps.filter((a) => a.hostname).map((a) => ({ name: a.name, host: a.hostname!, namespace: a.namespace, service: a.name, port: a.port, podPort: a.port, health: a.health.readiness, app: a })),
  ];
}

describe("the way in (issue #13)", () => {
  for (const stack of STACKS) {
    describe(stack, () => {
      const settings = committedSettings(stack);

      for (const expected of expectedHostnames(stack)) {
        it(`${expected.host}: hostname → certificate → listener → route → Service → ${expected.app ? `the active colour (${expected.app.activeColor})` : "Grafana's pods"}, admitted from the proxies only, probed over https`, async () => {
          const plan = await planStack(stack);
          // Certificate from the stack's ClusterIssuer, in the Gateway's namespace.
          const certificate = ofKind(plan, "Certificate").find((c) => c.spec.dnsNames.includes(expected.host))!;
          expect(certificate, "certificate").to.not.equal(undefined);
          expect(certificate.metadata.namespace).to.equal("gateway");
          expect(certificate.spec.dnsNames).to.deep.equal([expected.host]);
          const issuer = plan.object("ClusterIssuer", undefined, certificate.spec.issuerRef.name);
          expect(certificate.spec.issuerRef).to.deep.equal({ group: "cert-manager.io", kind: "ClusterIssuer", name: `letsencrypt-${settings.certificateIssuer}` });
          expect(issuer.spec.acme.server).to.equal(ACME_SERVERS[settings.certificateIssuer]);
          expect(issuer.spec.acme.solvers).to.deep.equal([{ selector: { dnsZones: [settings.domain] }, dns01: { route53: { region: "eu-west-1", hostedZoneID: settings.hostedZoneId } } }]);
          // The HTTPS listener of that hostname serves that certificate's Secret.
          const gateway = plan.object("Gateway", "gateway", "platform");
          const listener = gateway.spec.listeners.find((l: Obj) => l.hostname === expected.host);
          expect(listener.protocol).to.equal("HTTPS");
          expect(listener.port).to.equal(443);
          expect(listener.tls).to.deep.equal({ mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: certificate.spec.secretName }] });
          // The route: that hostname, that listener only, to the backend Service's port.
          const routes = ofKind(plan, "HTTPRoute").filter((r) => (r.spec.hostnames ?? []).includes(expected.host));
          expect(routes).to.have.lengthOf(1);
          const route = routes[0];
          expect(route.metadata.namespace).to.equal(expected.namespace);
          expect(selectorMatches(listener.allowedRoutes.namespaces.selector, { [nsLabel]: route.metadata.namespace })).to.equal(true);
          expect(route.spec.parentRefs).to.deep.equal([{ group: "gateway.networking.k8s.io", kind: "Gateway", namespace: "gateway", name: "platform", sectionName: listener.name }]);
          expect(route.spec.rules.flatMap((r: Obj) => r.backendRefs)).to.deep.equal([{ group: "", kind: "Service", name: expected.service, port: expected.port }]);
          // The Service serves that port and selects pods that listen on the target port.
          const service = plan.object("Service", expected.namespace, expected.service);
          const servicePort = service.spec.ports.find((p: Obj) => p.port === expected.port);
          expect(servicePort, "service port").to.not.equal(undefined);
          const workloads = ofKind(plan, "Deployment").filter((d) => d.metadata.namespace === expected.namespace && selectorMatches({ matchLabels: service.spec.selector }, d.spec.template.metadata.labels ?? {}));
          expect(workloads.map((d) => d.metadata.name)).to.deep.equal([expected.app ? `${expected.name}-${expected.app.activeColor}` : "kube-prometheus-stack-grafana"]);
          const pod = workloads[0].spec.template;
          const containerPorts = pod.spec.containers.flatMap((c: Obj) => c.ports ?? []);
          const target = containerPorts.find((p: Obj) => p.name === servicePort.targetPort || p.containerPort === servicePort.targetPort);
          expect(target.containerPort).to.equal(expected.podPort);
          if (expected.app) expect(pod.metadata.labels["platform.io/color"]).to.equal(expected.app.activeColor);
          // NetworkPolicies: the proxies (not the gateway namespace as a whole) reach those pods on that port, and nothing else does from outside.
          const proxies = (p: Obj) => p.namespaceSelector?.matchLabels?.[nsLabel] === "gateway" && sameLabels(p.podSelector?.matchLabels, ENVOY_PROXY_POD_LABELS);
          const admitting = ofKind(plan, "NetworkPolicy").filter(
            (np) => np.metadata.namespace === expected.namespace && selectorMatches(np.spec.podSelector, pod.metadata.labels) && allows(np, "ingress", proxies, expected.podPort),
          );
          expect(admitting.map((np) => np.metadata.name)).to.deep.equal([`${expected.name}-from-gateway`]);
          expect(admitting[0].spec.ingress).to.have.lengthOf(1);
          expect(admitting[0].spec.ingress[0].ports).to.deep.equal([{ protocol: "TCP", port: expected.podPort }]);
          const egress = ofKind(plan, "NetworkPolicy").filter(
            (np) => np.metadata.namespace === "gateway" && allows(np, "egress", (p) => p.namespaceSelector?.matchLabels?.[nsLabel] === expected.namespace && selectorMatches(p.podSelector, pod.metadata.labels), expected.podPort),
          );
          expect(egress).to.have.lengthOf(1);
          // The external probe asks the hostname over https.
          const probe = ofKind(plan, "Probe").find((p) => p.spec.targets.staticConfig.static.includes(`https://${expected.host}${expected.health}`))!;
          expect(probe, "probe").to.not.equal(undefined);
          expect(probe.spec.module).to.equal(settings.certificateIssuer === "production" ? "https_2xx" : "https_2xx_untrusted_ca");
        });
      }

      it("plain HTTP only redirects to https; TLS 1.2 at least; the class names the controller the platform deploys; the NLB comes from EKS itself", async () => {
        const plan = await planStack(stack);
        const gateway = plan.object("Gateway", "gateway", "platform");
        expect(gateway.spec.listeners.filter((l: Obj) => l.protocol !== "HTTPS")).to.deep.equal([{ name: "http", protocol: "HTTP", port: 80, allowedRoutes: { namespaces: { from: "Same" } } }]);
        const onHttp = ofKind(plan, "HTTPRoute").filter((r) => r.spec.parentRefs.some((p: Obj) => p.sectionName === "http"));
        expect(onHttp.map((r) => r.metadata.name)).to.deep.equal(["https-redirect"]);
        expect(onHttp[0].spec.rules).to.deep.equal([{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }]);
        expect(expectedHostnames(stack).map((h) => h.host).sort()).to.deep.equal(gateway.spec.listeners.filter((l: Obj) => l.protocol === "HTTPS").map((l: Obj) => l.hostname).sort());
        const tls = plan.object("ClientTrafficPolicy", "gateway", "tls-minimum");
        expect(tls.spec.targetRefs).to.deep.equal([{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "platform" }]);
        expect(tls.spec.tls.minVersion).to.equal("1.2");
        const config = plan.object("ConfigMap", "gateway", "envoy-gateway-config").data["envoy-gateway.yaml"] as string;
        const controllerName = /controllerName: (\S+)/.exec(config)![1];
        expect(ofKind(plan, "GatewayClass").map((c) => c.spec.controllerName)).to.deep.equal([controllerName]);
        const proxy = plan.object("EnvoyProxy", "gateway", "platform-proxy").spec.provider.kubernetes;
        expect(proxy.envoyService.annotations["service.beta.kubernetes.io/aws-load-balancer-type"]).to.equal("nlb");
        expect(Object.keys(proxy.envoyService.annotations).every((k) => k.startsWith("service.beta.kubernetes.io/aws-load-balancer-"))).to.equal(true);
        expect(proxy.envoyDeployment.replicas).to.equal(settings.gateway.replicas);
        expect(plan.object("ResourceQuota", "gateway", "platform-quota").spec.hard["services.loadbalancers"]).to.equal("1");
        // The proxies admit the internet on their two listener ports, nothing else.
        const fromInternet = plan.object("NetworkPolicy", "gateway", "envoy-from-load-balancer");
        expect(fromInternet.spec.ingress).to.deep.equal([{ from: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 10080 }, { protocol: "TCP", port: 10443 }] }]);
      });

      it("a terminating proxy keeps accepting until the NLB has taken its node out of rotation", async () => {
        const plan = await planStack(stack);
        const proxy = plan.object("EnvoyProxy", "gateway", "platform-proxy").spec;
        const annotation = (name: string) => Number(proxy.provider.kubernetes.envoyService.annotations[`service.beta.kubernetes.io/aws-load-balancer-healthcheck-${name}`]);
        // The NLB's check, spelled out rather than the provider's default: 2 failures 10 s apart, 20 s.
        expect([annotation("interval"), annotation("unhealthy-threshold"), annotation("healthy-threshold")]).to.deep.equal([10, 2, 2]);
        // Envoy Gateway's default minimum drain (10 s) let the proxy exit while the NLB still sent its node connections.
        expect(proxy.shutdown).to.deep.equal({ minDrainDuration: "30s", drainTimeout: "60s" });
        const seconds = (d: string) => Number(/^(\d+)s$/.exec(d)![1]);
        expect(seconds(proxy.shutdown.minDrainDuration)).to.be.greaterThan(annotation("interval") * annotation("unhealthy-threshold"));
        expect(seconds(proxy.shutdown.minDrainDuration)).to.be.at.most(seconds(proxy.shutdown.drainTimeout));
      });

      it("external-dns publishes the routes' hostnames in the stack's zone only, owns its records by TXT, and syncs", async () => {
        const plan = await planStack(stack);
        const args: string[] = plan.object("Deployment", "external-dns", "external-dns").spec.template.spec.containers[0].args;
        expect(args).to.include.members([
          "--source=gateway-httproute", "--policy=sync", "--registry=txt", `--txt-owner-id=platform-${settings.clusterName}`,
          `--domain-filter=${settings.domain}`, `--zone-id-filter=${settings.hostedZoneId}`, "--provider=aws", "--gateway-namespace=gateway",
        ]);
        expect(args.filter((a) => a.startsWith("--source="))).to.deep.equal(["--source=gateway-httproute"]);
      });

      it("IRSA roles: each trusts exactly its controller's ServiceAccount and grants exactly the stack's scope", async () => {
        const plan = await planStack(stack);
        const oidc = settings.oidcProviderArn.replace(/^arn:aws:iam::\d{12}:oidc-provider\//, "");
        const zone = `arn:aws:route53:::hostedzone/${settings.hostedZoneId}`;
        const role = (name: string) => JSON.parse(plan.one("aws:iam/role:Role", `${name}-role`).inputs.assumeRolePolicy as string);
        const grant = (name: string) => JSON.parse(plan.one("aws:iam/rolePolicy:RolePolicy", `${name}-policy`).inputs.policy as string);
        for (const [name, sa] of [["platform-cert-manager-dns01", "system:serviceaccount:cert-manager:cert-manager"], ["platform-external-dns-route53", "system:serviceaccount:external-dns:external-dns"], ["platform-external-secrets-secrets-manager", "system:serviceaccount:external-secrets:external-secrets"]]) {
          expect(role(name).Statement[0].Condition.StringEquals).to.deep.equal({ [`${oidc}:sub`]: sa, [`${oidc}:aud`]: "sts.amazonaws.com" });
        }
        expect(grant("platform-cert-manager-dns01").Statement).to.deep.equal([
          {
            Sid: "Dns01ChallengeRecords", Effect: "Allow", Action: ["route53:ChangeResourceRecordSets"], Resource: [zone],
            Condition: { "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"] }, "ForAllValues:StringLike": { "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.*"] } },
          },
          { Sid: "ReadZoneRecords", Effect: "Allow", Action: ["route53:ListResourceRecordSets"], Resource: [zone] },
          { Sid: "FollowChanges", Effect: "Allow", Action: ["route53:GetChange"], Resource: ["arn:aws:route53:::change/*"] },
        ]);
        expect(grant("platform-external-dns-route53").Statement).to.deep.equal([
          { Sid: "ChangeStackZoneRecords", Effect: "Allow", Action: ["route53:ChangeResourceRecordSets"], Resource: [zone] },
          { Sid: "ReadStackZoneRecords", Effect: "Allow", Action: ["route53:ListResourceRecordSets", "route53:ListTagsForResources"], Resource: [zone] },
          { Sid: "ListZones", Effect: "Allow", Action: ["route53:ListHostedZones"], Resource: ["*"] },
        ]);
        expect(grant("platform-external-secrets-secrets-manager").Statement).to.deep.equal([
          { Sid: "ReadStackSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: [`arn:aws:secretsmanager:eu-west-1:${settings.awsAccountId}:secret:platform/${stack}/*`] },
        ]);
        // The charts' ServiceAccounts carry the roles.
        for (const [ns, sa] of [["cert-manager", "cert-manager"], ["external-dns", "external-dns"], ["external-secrets", "external-secrets"]]) {
          expect(plan.object("ServiceAccount", ns, sa).metadata.annotations["eks.amazonaws.com/role-arn"], `${ns}/${sa}`).to.match(/^arn:aws:iam:/);
        }
      });

      it("a Secrets Manager secretEnv entry is synced by ESO into its own Secret, read by the pods, and rolls them through Reloader", async () => {
        const plan = await planStack(stack);
        const store = plan.object("ClusterSecretStore", undefined, "aws-secrets-manager");
        expect(store.spec).to.deep.equal({
          provider: { aws: { service: "SecretsManager", region: "eu-west-1" } },
          conditions: [{ namespaceSelector: { matchExpressions: [{ key: nsLabel, operator: "In", values: ["apps"] }] } }],
        });
        const external = plan.object("ExternalSecret", "apps", "api-external-env");
        expect(external.spec.refreshInterval).to.equal("5m");
        expect(external.spec.data).to.deep.equal([{ secretKey: "PAYMENTS_API_KEY", remoteRef: { key: `platform/${stack}/api`, property: "paymentsApiKey" } }]);
        expect(external.spec.target.template.metadata.labels["platform.io/secret-source"]).to.equal("secrets-manager");
        for (const color of ["blue", "green"]) {
          const deployment = plan.object("Deployment", "apps", `api-${color}`);
          expect(deployment.metadata.annotations["secret.reloader.stakater.com/reload"]).to.equal("api-external-env");
          const env = deployment.spec.template.spec.containers[0].env.find((e: Obj) => e.name === "PAYMENTS_API_KEY");
          expect(env.valueFrom.secretKeyRef).to.deep.equal({ name: "api-external-env", key: "PAYMENTS_API_KEY" });
        }
        const reloader: string[] = plan.object("Deployment", "external-secrets", "reloader-reloader").spec.template.spec.containers[0].args;
        expect(reloader).to.include.members(["--reload-strategy=annotations", "--resource-label-selector=platform.io/secret-source=secrets-manager"]);
      });

      it("the Gateway API, Envoy Gateway, cert-manager and ESO objects validate against schemas generated from the pinned CRDs (kubeconform), and a wrong one fails", async function () {
        const plan = await planStack(stack);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "crd-schemas-"));
        try {
          const crds = ofKind(plan, "CustomResourceDefinition");
          expect(writeCrdSchemas(crds, path.join(dir, "schemas"))).to.be.greaterThan(20);
          const groups = ["gateway.networking.k8s.io", "gateway.envoyproxy.io", "cert-manager.io", "external-secrets.io"];
          const custom = objects(plan).filter((o) => groups.includes(String(o.apiVersion).split("/")[0]));
          expect(new Set(custom.map((o) => o.kind))).to.deep.equal(new Set(["GatewayClass", "Gateway", "HTTPRoute", "EnvoyProxy", "ClientTrafficPolicy", "ClusterIssuer", "Certificate", "ClusterSecretStore", "ExternalSecret"]));
          fs.writeFileSync(path.join(dir, "objects.yaml"), custom.map((o) => toYaml(o)).join("---\n"));
          const kubeconform = (file: string) => spawnSync(toolPath("kubeconform"), ["-strict", "-summary", "-schema-location", schemaLocation(path.join(dir, "schemas")), file], { encoding: "utf8" });
          const ok = kubeconform(path.join(dir, "objects.yaml"));
          expect(ok.status, ok.stdout + ok.stderr).to.equal(0);
          expect(ok.stdout).to.contain(`Valid: ${custom.length}, Invalid: 0, Errors: 0`);
          const tls = custom.find((o) => o.kind === "ClientTrafficPolicy")!;
          fs.writeFileSync(path.join(dir, "bad.yaml"), toYaml({ ...tls, spec: { ...tls.spec, tls: { minVersion: "1.1", minimumVersion: "1.2" } } }));
          const bad = kubeconform(path.join(dir, "bad.yaml"));
          expect(bad.status).to.equal(1);
          expect(bad.stdout).to.match(/minimumVersion|additional properties/i);
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      });

      it("the image list for the scan comes from the plan and holds the apps', the charts' and the operator-made pods' images", async () => {
        const plan = await planStack(stack);
        const images = containerImages(objects(plan));
        expect(images).to.include.members([
          ...new Set(settings.apps.flatMap((a) => [a.images.blue, a.images.green])),
          ENVOY_PROXY_IMAGE, "docker.io/envoyproxy/gateway:v1.9.0", "quay.io/jetstack/cert-manager-controller:v1.21.1",
          "registry.k8s.io/external-dns/external-dns:v0.21.0", "ghcr.io/external-secrets/external-secrets:v2.9.0", "ghcr.io/stakater/reloader:v1.4.21",
          "quay.io/prometheus/prometheus:v3.14.0-distroless",
        ]);
        expect(images).to.deep.equal([...new Set(images)].sort());
      });

      it("promtool: a public hostname's probe series fires the TLS-expiry warning, with the probe's job and URL", async () => {
        const plan = await planStack(stack);
        const probe = ofKind(plan, "Probe").find((p) => p.metadata.name === "api-public")!;
        const group = ofKind(plan, "PrometheusRule").flatMap((r) => r.spec.groups).find((g: Obj) => g.rules.some((r: Obj) => r.alert === "TLSCertificateExpiringSoon"));
        // Annotations are checked by the alerting tests; here only the firing and its labels matter.
        const rules = group.rules.filter((r: Obj) => r.alert === "TLSCertificateExpiringSoon").map(({ annotations: _a, ...r }: Obj) => r);
        const warning = rules.find((r: Obj) => r.labels.severity === "warning");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tls-expiry-"));
        try {
          fs.writeFileSync(path.join(dir, "rules.yaml"), toYaml({ groups: [{ name: group.name, rules }] }));
          const url = probe.spec.targets.staticConfig.static[0];
          const labels = { job: probe.spec.jobName, instance: url, namespace: probe.metadata.namespace, ...probe.spec.targets.staticConfig.labels };
          const series = `probe_ssl_earliest_cert_expiry{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(",")}}`;
          const twentyDays = 20 * 86400;
          fs.writeFileSync(
            path.join(dir, "test.yaml"),
            toYaml({
              rule_files: ["rules.yaml"],
              evaluation_interval: "1m",
              tests: [{
                interval: "1m",
                input_series: [{ series, values: `${twentyDays}+0x180` }],
                alert_rule_test: [
                  { eval_time: "3h", alertname: "TLSCertificateExpiringSoon", exp_alerts: [{ exp_labels: { ...warning.labels, job: labels.job, instance: url } }] },
                ],
              }],
            }),
          );
          const run = runPromtool(resolvePromtool(), ["test", "rules", "test.yaml"], dir);
          expect(run.status, run.output).to.equal(0);
          expect(url).to.equal(`https://${settings.apps[0].hostname}${settings.apps[0].health.readiness}`);
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      });
    });
  }
});
