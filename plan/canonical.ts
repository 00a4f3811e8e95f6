// The renderer lives with the components (they render YAML for ConfigMaps and Secrets); the plan reuses it.
export { canonical, toJson, toYaml } from "../components/core/yaml";
