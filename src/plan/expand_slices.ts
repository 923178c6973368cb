/**
 * Slices from data (`slice_by`, docs/datasets.md): a task whose items are grouped by the values
 * of some fields becomes one explicit task per value — the task a user would have written by
 * hand for it — so ids, results and resume work as for hand-written slices.
 */
import { contentHash } from "../core/canonical.ts";
import type { ItemGroup, SliceValue } from "../plugins/datasets/group_items.ts";
import type { ItemList } from "../plugins/datasets/item_list.ts";
import type { DatasetQuery, TaskSpec } from "../spec/schemas.ts";

/**
 * The `slice_by` fields of a task, as a list; undefined without `slice_by`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sliceByFields } from "./expand_slices.ts";
 * assert.deepEqual(sliceByFields({ slice_by: "subject" }), ["subject"]);
 * assert.equal(sliceByFields({}), undefined);
 * ```
 */
export function sliceByFields(task: Pick<TaskSpec, "slice_by">): string[] | undefined {
  const by = task.slice_by;
  return by === undefined ? undefined : typeof by === "string" ? [by] : by;
}

/** One part of a generated slice id: the value's text with anything but `A-Za-z0-9_-` as `_`. */
function idPart(value: SliceValue): string {
  const text = String(value).replace(/[^A-Za-z0-9_-]+/g, "_").replace(/^_+|_+$/g, "");
  return text === "" ? "_" : text;
}

/**
 * The ids of the slices made from one slice's groups: `<slice_id>.<value>` (several fields:
 * `<slice_id>.<value 1>.<value 2>`), each value's text with every run of characters other than
 * letters, digits, `_` and `-` written as one `_`. Values that would share an id (`"a b"` and
 * `"a_b"`) each get `-` and 6 hex digits of the hash of their values instead. The same values
 * give the same id on every machine, whatever else the data holds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sliceIds } from "./expand_slices.ts";
 * assert.deepEqual(sliceIds("mmlu", [["college biology"], ["law"], [3.5]]), [
 *   "mmlu.college_biology",
 *   "mmlu.law",
 *   "mmlu.3_5",
 * ]);
 * const [a, b] = sliceIds("s", [["a b"], ["a_b"]]);
 * assert.ok(a.startsWith("s.a_b-") && b.startsWith("s.a_b-") && a !== b);
 * ```
 */
export function sliceIds(sliceId: string, values: ReadonlyArray<SliceValue[]>): string[] {
  const plain = values.map((v) => [sliceId, ...v.map(idPart)].join("."));
  const uses = new Map<string, number>();
  for (const id of plain) uses.set(id, (uses.get(id) ?? 0) + 1);
  return plain.map((id, i) =>
    uses.get(id)! > 1
      ? `${id}-${contentHash({ kind: "slice_by", values: values[i] }).slice(0, 6)}`
      : id
  );
}

/** The query of one generated slice: the slice's own, with the value's fields in its `where`. */
function queryFor(query: DatasetQuery, where: Record<string, SliceValue>): DatasetQuery {
  switch (query.kind) {
    case "all":
      return { kind: "filter", where };
    case "filter":
    case "subset":
    case "stratified":
      return { ...query, where: { ...(query.where ?? {}), ...where } };
    default:
      // item_ids is refused with slice_by when the spec is validated.
      return query;
  }
}

/**
 * One explicit task per group of a `slice_by` task: id from {@linkcode sliceIds}, the values as
 * dimensions (beside the slice's own), the value's filter added to the query, and everything
 * else (prompts, grid, parses, scores) as the slice says. Its trials are the trials of the
 * same slice written by hand.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { expandTask } from "./expand_slices.ts";
 * import { ItemList } from "../plugins/datasets/item_list.ts";
 * const task = {
 *   task_id: "qa", slice_by: "level", dataset: { kind: "inline" as const, items: [{}] },
 *   dataset_query: { kind: "subset" as const, count: 5, seed: 0 },
 *   dimensions: { lang: "en" }, prompts: [], inference: [{}], parses: [], scores: [],
 * };
 * const [first] = expandTask(task, [{ values: [1], items: ItemList.from([]) }]);
 * assert.deepEqual(first.task, {
 *   task_id: "qa.1", dataset: task.dataset,
 *   dataset_query: { kind: "subset", count: 5, seed: 0, where: { level: 1 } },
 *   dimensions: { lang: "en", level: 1 }, prompts: [], inference: [{}], parses: [], scores: [],
 * });
 * ```
 */
export function expandTask(
  task: TaskSpec,
  groups: ReadonlyArray<ItemGroup>,
): Array<{ task: TaskSpec; items: ItemList }> {
  const fields = sliceByFields(task) ?? [];
  const ids = sliceIds(task.task_id, groups.map((g) => g.values));
  const { slice_by: _by, max_slices: _max, ...rest } = task;
  return groups.map((group, g) => {
    const values = Object.fromEntries(fields.map((f, i) => [f, group.values[i]]));
    return {
      task: {
        ...rest,
        task_id: ids[g],
        dataset_query: queryFor(task.dataset_query, values),
        dimensions: { ...task.dimensions, ...values },
      },
      items: group.items,
    };
  });
}
