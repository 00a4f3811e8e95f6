import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describeHelm, TYPES } from "./kubernetes";
import { record, str } from "./values";

const HELM_TYPES: readonly string[] = [TYPES.helmRelease, TYPES.helmChart];

/** Helm's own version grammar for one release: SemVer 2, optional leading v. */
const EXACT_VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** A chart in this repository is pinned by the commit itself. */
function isLocalChart(chart: string): boolean {
  return chart.startsWith("./") || chart.startsWith("../") || chart.startsWith("/");
}

/**
 * Without an exact version, the same commit installs whatever the repository serves that day, so a preview
 * approved on Monday is not what Tuesday's `up` deploys; without an explicit repository, the chart comes from
 * whichever `helm repo add` the machine running Pulumi happens to have.
 */
export const helmChartPinned: ResourceValidationPolicy = {
  name: "helm-chart-pinned",
  description: "Helm releases and charts pin an exact chart version and name an https:// or oci:// repository.",
  enforcementLevel: "mandatory",
  severity: "high",
  validateResource: (args, reportViolation) => {
    if (!HELM_TYPES.includes(args.type)) return;
    const chart = str(args.props.chart) ?? "";
    if (isLocalChart(chart)) return;
    const release = describeHelm(args.type, args.props, args.name);
    const version = str(args.props.version);
    if (version === undefined || version === "") {
      reportViolation(`${release}: chart "${chart}" has no version; pin an exact chart version such as 1.2.3`);
    } else if (!EXACT_VERSION.test(version)) {
      reportViolation(`${release}: chart "${chart}" version "${version}" is not an exact version; pin one such as 1.2.3`);
    }
    if (chart.startsWith("oci://")) return;
    const repo = str(record(args.props.repositoryOpts).repo);
    if (repo === undefined || repo === "") {
      reportViolation(`${release}: chart "${chart}" names no repository; set repositoryOpts.repo to the chart repository's URL`);
    } else if (!repo.startsWith("https://") && !repo.startsWith("oci://")) {
      reportViolation(`${release}: repository "${repo}" is neither https:// nor oci://; charts must come over TLS`);
    }
  },
};
