// Lint what the type checker cannot see: a Pulumi Output inside a plain template literal renders as
// "Calling [toString] on an [Output<T>] is not supported" instead of its value (use pulumi.interpolate).
// The rules need type information, so the parser reads the repository's tsconfig.json.
import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

export default [
  {
    ignores: [
      "node_modules/**",
      "build/**",
      "dist/**",
      ".tools/**",
      "**/*.js",
      "**/*.mjs",
      // The lint's own test fixture: wrong on purpose (tests/structure/lint.spec.ts lints it on its own).
      "tests/structure/fixtures/output-in-template.ts",
      // Separate programs with their own package.json, outside tsconfig.json: tests/library type-checks each
      // one against the installed package's declarations, as a team's CI would.
      "examples/**",
    ],
  },
  {
    files: ["**/*.ts"],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { project: "./tsconfig.json", tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    plugins: { "@pulumi": pulumi },
    rules: {
      "@pulumi/no-output-in-template-literal": "error",
      "@pulumi/no-output-instance-in-template-literal": "error",
    },
  },
];
