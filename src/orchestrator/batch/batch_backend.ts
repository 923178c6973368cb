import { ThemisError } from "../../core/errors.ts";
import { anthropicBatchClient } from "../../plugins/engines/anthropic_batch.ts";
import type { BatchClient } from "../../plugins/engines/batch_client.ts";
import { openaiBatchClient } from "../../plugins/engines/openai_batch.ts";
import type { ModelRef } from "../../plugins/types.ts";
import type { BatchBackend, ExperimentSpec, ProjectSpec } from "../../spec/schemas.ts";

/** The kind of a project's execution backend, whichever form it was written in. */
export function backendKind(project: ProjectSpec): "local" | "worker_pool" | "batch" {
  const backend = project.execution_backend;
  return typeof backend === "string" ? backend : backend.kind;
}

const PROVIDERS = ["openai", "anthropic"] as const;

/**
 * The `batch` backend of a project for a spec: the table form as written; the plain string
 * `"batch"` takes its provider from the models when they all share one that has a Batch API.
 * Models of another provider are refused (`BATCH_UNSUPPORTED`), naming them and the fix.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { batchBackend } from "./batch_backend.ts";
 * const project = { execution_backend: "batch" } as Parameters<typeof batchBackend>[0];
 * const experiment = { models: [{ model_id: "m", provider: "anthropic", extras: {} }] };
 * assert.equal(batchBackend(project, experiment as never).provider, "anthropic");
 * ```
 */
export function batchBackend(
  project: ProjectSpec,
  experiment: Pick<ExperimentSpec, "models">,
): BatchBackend {
  const backend = project.execution_backend;
  const providers = [...new Set(experiment.models.map((m) => m.provider))];
  let table: BatchBackend;
  if (typeof backend === "object" && backend.kind === "batch") table = backend;
  else if (providers.length === 1 && (PROVIDERS as readonly string[]).includes(providers[0])) {
    table = {
      kind: "batch",
      provider: providers[0] as BatchBackend["provider"],
      completion_window: "24h",
      poll_interval: 60,
    };
  } else {
    throw new ThemisError(
      "BATCH_UNSUPPORTED",
      `execution_backend "batch" needs to know whose Batch API to use, and the spec's models ` +
        `use ${providers.map((p) => `"${p}"`).join(", ")}: write [execution_backend] kind = ` +
        `"batch" and provider = "openai" or "anthropic" in the project file, with models of ` +
        `that provider only (or run the others with "themis run")`,
      { path: "execution_backend" },
    );
  }
  const others = experiment.models.filter((m) => m.provider !== table.provider);
  if (others.length > 0) {
    throw new ThemisError(
      "BATCH_UNSUPPORTED",
      `The batch backend sends to ${table.provider}'s Batch API, but models ` +
        `${others.map((m) => `"${m.model_id}" (${m.provider})`).join(", ")} use another ` +
        `provider: put them in another benchmark run with "themis run", or set ` +
        `[execution_backend] provider to theirs`,
      { path: "execution_backend.provider" },
    );
  }
  return table;
}

/** The Batch API client for one model of a batch backend. */
export function batchClientFor(
  backend: BatchBackend,
  model: ModelRef,
  options: { secret: (name: string) => string | undefined; signal?: AbortSignal },
): BatchClient {
  const common = {
    model,
    secret: options.secret,
    signal: options.signal,
    limits: { requests: backend.max_requests, bytes: backend.max_bytes },
    completionWindow: backend.completion_window,
  };
  return backend.provider === "openai" ? openaiBatchClient(common) : anthropicBatchClient(common);
}
