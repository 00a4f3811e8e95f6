/**
 * The user and group the platform gives third-party chart pods whose image is a static binary that owns no
 * files it writes (cert-manager, External Secrets, Reloader, the blackbox exporter, kube-webhook-certgen):
 * nobody, 65534. It is what the rest of the charts' pods already run as (the whole kube-prometheus-stack, the
 * exporters, Reloader) and ESO's and the blackbox exporter's own image user; 65532 (distroless "nonroot") stays
 * the user of images the platform builds or deploys for apps. The charts' defaults, 1000 and 2000, are real
 * users on the nodes (1000 is ec2-user on Amazon Linux 2023), which a container escape would land as; 65534
 * owns nothing there.
 */
export const CHART_POD_USER = 65534;
export const CHART_POD_GROUP = 65534;

/** The user and group alone, for a chart whose own context is already non-root and hardened (Helm merges the rest). */
export const chartPodUserAndGroup = { runAsUser: CHART_POD_USER, runAsGroup: CHART_POD_GROUP } as const;

/** The run-as fields of a pod or container security context for those pods. */
const runAsChartPodUser = { runAsNonRoot: true, ...chartPodUserAndGroup } as const;

/** A pod or container context PSA restricted admits: the run-as fields and the RuntimeDefault seccomp profile. */
export const chartPodSecurityContext = { ...runAsChartPodUser, seccompProfile: { type: "RuntimeDefault" } } as const;
