/**
 * TypeScript declarations written from zod schemas, so public types are plain documented
 * interfaces (what `deno doc` and JSR show) while the schemas stay their one source:
 * `deno task docs` writes the spec, handoff and event types with this, a test fails when a
 * committed file differs, and another checks each type equals its schema's.
 */
import type { z } from "npm:zod@4.6.7";

/** A schema declared under a name. */
export interface NamedSchema {
  /** The type's name. */
  name: string;
  /** The schema; its `description` becomes the type's doc comment. */
  schema: z.ZodType;
  /** The type's doc comment, when the schema has no description of its own. */
  description?: string;
  /**
   * Names of the members of a union declared on their own, by discriminator value
   * (`{ inline: "InlineDataset" }`).
   */
  members?: Record<string, string>;
}

/** What {@linkcode typeDeclarations} writes around the declarations. */
export interface TypeDeclarationsOptions {
  /** The module's doc comment (without the comment markers), first in the file. */
  header: string;
  /** The module `Json` and `JsonObject` are imported from, when the declarations use them. */
  jsonModule: string;
  /** Declarations written by hand, appended after the generated ones. */
  extra?: string;
}

/** The parts of a zod 4 schema definition the walk reads. */
interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  values?: unknown[];
  entries?: Record<string, unknown>;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
}

interface Internals {
  def: Def;
  optin?: string;
  optout?: string;
}

type Mode = "output" | "input";

const internals = (schema: z.ZodType) => (schema as unknown as { _zod: Internals })._zod;
const defOf = (schema: z.ZodType): Def => internals(schema).def;

/**
 * The doc comment of a description, indented and wrapped at 100 columns as deno fmt keeps
 * it; a description written as a fragment ("sample index") becomes a sentence.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { docComment } from "./type_declarations.ts";
 * assert.equal(docComment("sample index", "  "), "  /** Sample index. *\/\n");
 * ```
 */
export function docComment(description: string, indent: string): string {
  const text = description.replace(/^[a-z]/, (c) => c.toUpperCase()).replace(/([^.])$/, "$1.");
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = "";
  for (const word of words) {
    if (line && indent.length + 3 + line.length + 1 + word.length > 100) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  lines.push(line);
  if (lines.length === 1 && indent.length + 7 + lines[0].length <= 100) {
    return `${indent}/** ${lines[0]} */\n`;
  }
  return `${indent}/**\n${lines.map((l) => `${indent} * ${l}\n`).join("")}${indent} */\n`;
}

class Writer {
  // Keyed by definition: \`.describe()\` clones a schema but keeps its definition.
  readonly #names = new Map<Def, string>();
  readonly #differs = new Map<Def, boolean>();
  readonly #descriptions = new Map<Def, string>();

  constructor(named: NamedSchema[]) {
    for (const entry of named) {
      this.#names.set(defOf(entry.schema), entry.name);
      if (entry.description) this.#descriptions.set(defOf(entry.schema), entry.description);
      const def = defOf(entry.schema);
      for (const option of def.options ?? []) {
        const value = this.#discriminatorValue(def, option);
        const name = value === undefined ? undefined : entry.members?.[value];
        if (name) this.#names.set(defOf(option), name);
      }
    }
  }

  #discriminatorValue(def: Def, option: z.ZodType): string | undefined {
    if (def.discriminator === undefined) return undefined;
    const field = defOf(option).shape?.[def.discriminator];
    const value = field && defOf(field).values?.[0];
    return typeof value === "string" ? value : undefined;
  }

  /** Whether the input type of a schema differs from its output type (a default inside). */
  differs(schema: z.ZodType, seen = new Set<Def>()): boolean {
    const def = defOf(schema);
    const known = this.#differs.get(def);
    if (known !== undefined) return known;
    if (seen.has(def)) return false;
    seen.add(def);
    const children = [
      def.innerType,
      def.element,
      def.in,
      def.keyType,
      def.valueType,
      ...(def.options ?? []),
      ...Object.values(def.shape ?? {}),
    ].filter((s): s is z.ZodType => s !== undefined);
    const result = def.type === "default" || def.type === "pipe" ||
      children.some((child) => this.differs(child, seen));
    this.#differs.set(def, result);
    return result;
  }

  #nameOf(schema: z.ZodType, mode: Mode): string | undefined {
    const name = this.#names.get(defOf(schema));
    if (name === undefined) return undefined;
    return mode === "input" && this.differs(schema) ? `${name}Input` : name;
  }

  /** The type of a schema, by name where it has one. */
  type(schema: z.ZodType, mode: Mode, indent: string): string {
    return this.#nameOf(schema, mode) ?? this.body(schema, mode, indent);
  }

  /** The type of a schema, spelled out. */
  body(schema: z.ZodType, mode: Mode, indent: string): string {
    const def = defOf(schema);
    switch (def.type) {
      case "string":
      case "number":
      case "boolean":
      case "null":
      case "unknown":
        return def.type;
      case "any":
        return "unknown";
      case "lazy":
        // The one recursive schema of the specs: JSON values.
        return "Json";
      case "literal":
        return def.values!.map((v) => JSON.stringify(v)).join(" | ");
      case "enum":
        return Object.values(def.entries!).map((v) => JSON.stringify(v)).join(" | ");
      case "optional":
        return `${this.type(def.innerType!, mode, indent)} | undefined`;
      case "default":
        return this.type(def.innerType!, mode, indent);
      case "nullable":
        return `${this.type(def.innerType!, mode, indent)} | null`;
      case "pipe":
        return this.type(mode === "input" ? def.in! : def.out!, mode, indent);
      case "array": {
        const element = this.type(def.element!, mode, indent);
        return /^[A-Za-z]+$/.test(element) ? `${element}[]` : `Array<${element}>`;
      }
      case "record": {
        const value = defOf(def.valueType!).type === "lazy"
          ? "Json"
          : this.type(def.valueType!, mode, indent);
        return value === "Json" ? "JsonObject" : `Record<string, ${value}>`;
      }
      case "union":
        return def.options!.map((o) => this.type(o, mode, indent)).join(" | ");
      case "object":
        return `{\n${this.fields(schema, mode, `${indent}  `)}${indent}}`;
      default:
        throw new Error(`type_declarations: no TypeScript form for a zod "${def.type}"`);
    }
  }

  /** The fields of an object schema, each with its description. */
  fields(schema: z.ZodType, mode: Mode, indent: string): string {
    let out = "";
    for (const [key, field] of Object.entries(defOf(schema).shape!)) {
      const description = field.description ?? defOf(field).innerType?.description;
      if (!description) {
        throw new Error(`type_declarations: the field "${key}" has no description (.describe())`);
      }
      const optional = mode === "input" ? internals(field).optin : internals(field).optout;
      const type = this.#fieldType(field, mode, indent);
      const name = `${indent}${key}${optional ? "?" : ""}:`;
      const line = `${name} ${type};`;
      const wrap = line.length > 100 && !type.includes("\n") && type.includes(" | ");
      // As deno fmt writes a union too long for one line: one member per line.
      const declared = wrap
        ? `${name}\n${type.split(" | ").map((m) => `${indent}  | ${m}`).join("\n")};`
        : line;
      out += docComment(description, indent) + `${declared}\n`;
    }
    const catchall = defOf(schema).catchall;
    if (catchall !== undefined && defOf(catchall).type !== "never") {
      out += docComment("Other keys, kept as given.", indent) +
        `${indent}[key: string]: ${this.type(catchall, mode, indent)};\n`;
    }
    return out;
  }

  /** A field's type without the `| undefined` its `?` already says. */
  #fieldType(field: z.ZodType, mode: Mode, indent: string): string {
    const def = defOf(field);
    if (def.type === "optional" || def.type === "default") {
      return this.type(def.innerType!, mode, indent);
    }
    return this.type(field, mode, indent);
  }

  /** One named declaration (an interface for objects, a type alias otherwise). */
  declaration(name: string, schema: z.ZodType, mode: Mode): string {
    const description = schema.description ?? this.#descriptions.get(defOf(schema));
    if (!description) throw new Error(`type_declarations: "${name}" has no description`);
    const doc = docComment(description, "");
    if (defOf(schema).type === "object") {
      return `${doc}export interface ${name} {\n${this.fields(schema, mode, "  ")}}\n`;
    }
    const body = this.body(schema, mode, "");
    const line = `export type ${name} = ${body};`;
    if (line.length <= 100 || defOf(schema).type !== "union" || body.includes("\n")) {
      return `${doc}${line}\n`;
    }
    // As deno fmt writes a union too long for one line: one member per line.
    return `${doc}export type ${name} =\n${body.split(" | ").map((m) => `  | ${m}`).join("\n")};\n`;
  }

  /** Every declaration: each named schema, its union members, and input forms that differ. */
  all(named: NamedSchema[]): string[] {
    const out: string[] = [];
    for (const entry of named) {
      for (const mode of ["output", "input"] as const) {
        if (mode === "input" && !this.differs(entry.schema)) continue;
        const suffix = mode === "input" ? "Input" : "";
        out.push(this.declaration(`${entry.name}${suffix}`, entry.schema, mode));
        for (const option of defOf(entry.schema).options ?? []) {
          const value = this.#discriminatorValue(defOf(entry.schema), option);
          const member = value === undefined ? undefined : entry.members?.[value];
          if (member === undefined) continue;
          if (mode === "input" && !this.differs(option)) continue;
          out.push(this.declaration(`${member}${suffix}`, option, mode));
        }
      }
    }
    return out;
  }
}

/**
 * TypeScript declarations of named zod schemas: an interface per object (every field with its
 * description as a doc comment), a type alias otherwise, and an `…Input` form wherever
 * defaults make what a user may write differ from what parsing gives.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "npm:zod@4.6.7";
 * import { typeDeclarations } from "./type_declarations.ts";
 *
 * const Point = z.strictObject({
 *   x: z.number().describe("Across."),
 *   y: z.number().default(0).describe("Up."),
 * }).describe("A point.");
 * const text = typeDeclarations([{ name: "Point", schema: Point }], {
 *   header: "Points.",
 *   jsonModule: "./json.ts",
 * });
 * assert.match(text, /export interface Point \{\n  \/\*\* Across. \*\/\n  x: number;/);
 * assert.match(text, /export interface PointInput \{[^}]*y\?: number;/);
 * ```
 */
export function typeDeclarations(named: NamedSchema[], options: TypeDeclarationsOptions): string {
  const writer = new Writer(named);
  const header = `/**\n${options.header.split("\n").map((l) => ` * ${l}`.trimEnd()).join("\n")}\n` +
    ` * @module\n */\n`;
  const declarations = writer.all(named).join("\n");
  const used = ["Json", "JsonObject"].filter((name) =>
    new RegExp(`\\b${name}\\b(?!:)`).test(declarations)
  );
  const imports = used.length
    ? `import type { ${used.join(", ")} } from "${options.jsonModule}";\n\n`
    : "";
  const extra = options.extra ? `\n${options.extra}` : "";
  return `${header}// Generated by \`deno task docs\` from the zod schemas: edit those, not this file.\n` +
    `${imports}${declarations}${extra}`;
}
