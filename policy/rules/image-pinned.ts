import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, workloadUnderCheck } from "./kubernetes";
import { str } from "./values";

/**
 * Why an image reference does not pin what runs, or undefined when it does. A digest pins the bytes; a tag
 * other than `latest` pins a release by convention. `latest` and no tag (which means `latest`) change under a
 * running Deployment, so a node restart can silently upgrade it and a rollback cannot name what ran before.
 */
export function unpinnedImage(image: string): string | undefined {
  if (image.includes("@")) return undefined;
  // A registry port (`registry:5000/app`) has a colon too; the tag is after the last path segment's colon.
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const colon = lastSegment.indexOf(":");
  if (colon === -1) return "has no tag";
  if (lastSegment.slice(colon + 1) === "latest") return "uses the latest tag";
  return undefined;
}

export const imagePinned: ResourceValidationPolicy = {
  name: "k8s-image-pinned",
  description: "Container images name a version tag other than latest, or a digest.",
  enforcementLevel: "mandatory",
  severity: "high",
  validateResource: (args, reportViolation) => {
    const workload = workloadUnderCheck(args);
    if (!workload) return;
    const { template, object } = workload;
    for (const { name, container } of containersOf(template.spec)) {
      const image = str(container.image);
      const problem = image === undefined ? undefined : unpinnedImage(image);
      if (problem) reportViolation(`${object}: container "${name}" image "${image}" ${problem}; pin a version tag or a digest`);
    }
  },
};
