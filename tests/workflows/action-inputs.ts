/**
 * The inputs of every action and reusable workflow the workflows use, per pinned ref, copied from that ref's
 * action.yml (or the reusable workflow's `on.workflow_call.inputs`). actionlint only knows the inputs of older
 * majors of popular actions, so a typo such as `polcyPacks:` would otherwise reach CI unnoticed and be ignored
 * by the runner. Pinning a new action or major means adding its inputs here.
 */
export interface ActionInputs {
  readonly inputs: readonly string[];
  /** Inputs without a default that must be given. */
  readonly required: readonly string[];
}

export const ACTION_INPUTS: Readonly<Record<string, ActionInputs>> = {
  "actions/checkout@v7": {
    inputs: [
      "repository", "ref", "token", "ssh-key", "ssh-known-hosts", "ssh-strict", "ssh-user", "persist-credentials", "path", "clean",
      "filter", "sparse-checkout", "sparse-checkout-cone-mode", "fetch-depth", "fetch-tags", "show-progress", "lfs", "submodules",
      "set-safe-directory", "github-server-url", "allow-unsafe-pr-checkout",
    ],
    required: [],
  },
  "actions/setup-node@v7": {
    inputs: [
      "node-version", "node-version-file", "architecture", "check-latest", "registry-url", "scope", "token", "cache",
      "package-manager-cache", "cache-dependency-path", "mirror", "mirror-token",
    ],
    required: [],
  },
  "actions/cache@v5": {
    inputs: ["path", "key", "restore-keys", "upload-chunk-size", "enableCrossOsArchive", "fail-on-cache-miss", "lookup-only", "save-always"],
    required: ["path", "key"],
  },
  "actions/setup-go@v7": {
    inputs: ["go-version", "go-version-file", "check-latest", "token", "cache", "cache-dependency-path", "architecture", "go-download-base-url"],
    required: [],
  },
  "aws-actions/configure-aws-credentials@v6": {
    inputs: [
      "aws-region", "aws-profile", "overwrite-aws-profile", "role-to-assume", "aws-access-key-id", "aws-secret-access-key",
      "aws-session-token", "web-identity-token-file", "role-chaining", "audience", "http-proxy", "no-proxy", "mask-aws-account-id",
      "role-duration-seconds", "role-external-id", "role-session-name", "role-skip-session-tagging", "transitive-tag-keys",
      "inline-session-policy", "managed-session-policies", "output-credentials", "output-env-credentials", "unset-current-credentials",
      "disable-retry", "retry-max-attempts", "special-characters-workaround", "use-existing-credentials", "allowed-account-ids",
      "force-skip-oidc", "action-timeout-s", "custom-tags", "sts-endpoint",
    ],
    required: ["aws-region"],
  },
  "marocchino/sticky-pull-request-comment@v3": {
    inputs: [
      "header", "append", "recreate", "delete", "only_create", "only_update", "hide_details", "hide", "hide_and_recreate",
      "hide_classify", "message", "path", "ignore_empty", "skip_unchanged", "follow_symbolic_links", "number", "number_force", "owner",
      "repo", "GITHUB_TOKEN",
    ],
    required: [],
  },
  "pulumi/actions@v7": {
    inputs: [
      "command", "stack-name", "pulumi-version", "pulumi-version-file", "work-dir", "comment-on-pr", "comment-on-pr-number",
      "comment-on-summary", "github-token", "cloud-url", "secrets-provider", "parallel", "message", "config-map", "expect-no-changes",
      "diff", "replace", "exclude", "exclude-dependents", "target", "target-dependents", "policyPacks", "policyPackConfigs", "refresh",
      "upsert", "remove", "edit-pr-comment", "color", "exclude-protected", "plan", "suppress-outputs", "suppress-progress",
      "always-include-summary", "continue-on-error", "log-verbosity", "log-flow", "debug",
    ],
    required: [],
  },
  "github/codeql-action/init@v4": {
    inputs: [
      "tools", "languages", "build-mode", "analysis-kinds", "token", "registries", "matrix", "config-file", "db-location", "config",
      "queries", "quality-queries", "packs", "external-repository-token", "setup-python-dependencies", "source-root", "ram", "threads",
      "debug", "debug-artifact-name", "debug-database-name", "trap-caching", "dependency-caching", "check-run-id",
    ],
    required: [],
  },
  "github/codeql-action/analyze@v4": {
    inputs: [
      "check_name", "output", "upload", "cleanup-level", "ram", "add-snippets", "skip-queries", "threads", "checkout_path", "ref", "sha",
      "category", "upload-database", "post-processed-sarif-path", "wait-for-processing", "token", "matrix", "expect-error",
    ],
    required: [],
  },
  "google/osv-scanner-action/.github/workflows/osv-scanner-reusable.yml@v2.5.0": {
    inputs: [
      "scan-args", "results-file-name", "download-artifact", "upload-sarif", "fail-on-vuln", "matrix-property", "checkout-submodules",
      "ref", "export-results", "runs-on",
    ],
    required: [],
  },
};
