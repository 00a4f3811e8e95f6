/**
 * The parts of @pulumi/aws the components use, loaded namespace by namespace. `import "@pulumi/aws"` loads
 * the index of every one of its ~250 namespaces (some three hundred modules), a tenth of what a plan costs,
 * to reach five. Code reads the same (`aws.s3.Bucket`, `aws.Provider`) with this module as `aws`.
 * The package-level registration that index also makes (turning an aws provider reference back into a
 * provider) matters only where references arrive over the wire: lib/component-package.ts loads the index.
 */
export * as iam from "@pulumi/aws/iam";
export * as kms from "@pulumi/aws/kms";
export { Provider } from "@pulumi/aws/provider";
export * as rds from "@pulumi/aws/rds";
export * as s3 from "@pulumi/aws/s3";
