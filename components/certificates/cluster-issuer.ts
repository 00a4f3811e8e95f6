import { commonLabels } from "../core/labels";

/** Let's Encrypt's ACME directories. Staging issues untrusted certificates under generous rate limits. */
export const ACME_SERVERS = {
  staging: "https://acme-staging-v02.api.letsencrypt.org/directory",
  production: "https://acme-v02.api.letsencrypt.org/directory",
} as const;
export type IssuerKind = keyof typeof ACME_SERVERS;

export const clusterIssuerName = (kind: IssuerKind) => `letsencrypt-${kind}`;

export interface ClusterIssuerInput {
  readonly environment: string;
  readonly kind: IssuerKind;
  readonly email: string;
  readonly domain: string;
  readonly hostedZoneId: string;
  readonly region: string;
}

/**
 * The stack's one issuer: ACME with DNS-01 on Route 53, in the stack's hosted zone only. DNS-01 needs no
 * inbound path to the cluster and works before the NLB and the records exist. Credentials are ambient: the
 * controller's IRSA role (ClusterIssuers may use them by default), so no key is stored anywhere.
 */
export function clusterIssuerManifest(input: ClusterIssuerInput) {
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "ClusterIssuer",
    metadata: { name: clusterIssuerName(input.kind), labels: { ...commonLabels(input.environment), "app.kubernetes.io/component": "certificates" } },
    spec: {
      acme: {
        server: ACME_SERVERS[input.kind],
        email: input.email,
        privateKeySecretRef: { name: `${clusterIssuerName(input.kind)}-account-key` },
        solvers: [
          {
            selector: { dnsZones: [input.domain] },
            dns01: { route53: { region: input.region, hostedZoneID: input.hostedZoneId } },
          },
        ],
      },
    },
  };
}

export interface CertificateInput {
  readonly environment: string;
  readonly namespace: string;
  readonly name: string;
  readonly secretName: string;
  readonly hostname: string;
  readonly issuer: IssuerKind;
}

/**
 * One hostname's certificate, in the Gateway's namespace where the listener reads its Secret. cert-manager
 * renews it 30 days before expiry (a third of Let's Encrypt's 90 days) with a fresh key each time.
 */
export function certificateManifest(input: CertificateInput) {
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: { name: input.name, namespace: input.namespace, labels: { ...commonLabels(input.environment), "app.kubernetes.io/component": "certificates" } },
    spec: {
      secretName: input.secretName,
      dnsNames: [input.hostname],
      issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: clusterIssuerName(input.issuer) },
      privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
      renewBefore: "720h",
    },
  };
}
