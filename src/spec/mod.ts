/** Specs: schemas (the single source of types), loading, validation and compilation. */
export * from "./schemas.ts";
export { compileBenchmark, expandGrid } from "./compile_benchmark.ts";
export {
  findProjectFile,
  loadProjectFile,
  loadSpecFile,
  parseSpecText,
  readSpecFile,
} from "./load_spec.ts";
export type { LoadedProject, LoadedSpec, RawSpecFile } from "./load_spec.ts";
export {
  formatPath,
  specKind,
  validateBenchmark,
  validateExperiment,
  validateProject,
} from "./validate_spec.ts";
export type { SpecSource } from "./validate_spec.ts";
export { specJsonSchema } from "./json_schema.ts";
