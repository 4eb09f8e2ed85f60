// Lint config: typescript-eslint's recommended rules for src/, plain recommended rules for the
// JavaScript tests, simulator, scripts and benchmarks. Generated output is never linted.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  { ignores: ["node_modules/**", "tools/**", "nodes/lib/**", ".demo/**", ".e2e/**", ".test-output/**"] },
  js.configs.recommended,
  {
    files: ["**/*.js"],
    languageOptions: { sourceType: "commonjs", globals: { ...globals.node, ...globals.mocha } },
    rules: { "no-unused-vars": ["error", { argsIgnorePattern: "^_", caughtErrors: "none" }] },
  },
  {
    // Editor-side scripts served to the browser from resources/.
    files: ["resources/**/*.js"],
    languageOptions: { sourceType: "script", globals: { ...globals.browser, $: "readonly", RED: "readonly" } },
  },
  {
    files: ["src/**/*.ts"],
    extends: [tseslint.configs.recommended],
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "off",
      // Node-RED constructors conventionally keep `const node = this` for use in callbacks.
      "@typescript-eslint/no-this-alias": "off",
    },
  },
);
