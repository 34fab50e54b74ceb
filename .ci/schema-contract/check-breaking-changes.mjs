// Fails when schema.graphql breaks the last released schema in a way the changelog's
// "Unreleased" section does not record (each breaking change's path, in backticks).
import { readFileSync } from "node:fs";
import { buildSchema } from "graphql";
import { diff, CriticalityLevel } from "@graphql-inspector/core";

const root = new URL("../../", import.meta.url);
const read = (path) => readFileSync(new URL(path, root), "utf8");

const released = buildSchema(read("docs/schema/released.graphql"));
const current = buildSchema(read("schema.graphql"));
const changelog = read("docs/schema/CHANGELOG.md");
const unreleased = changelog.split(/^## Unreleased\s*$/m)[1]?.split(/^## /m)[0] ?? "";

const changes = await diff(released, current);
const breaking = changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking);
const dangerous = changes.filter((c) => c.criticality.level === CriticalityLevel.Dangerous);
const unrecorded = breaking.filter((c) => !unreleased.includes("`" + c.path + "`"));

console.log(
  `schema changes since the last release: ${changes.length} ` +
    `(${breaking.length} breaking, ${dangerous.length} dangerous)`,
);
for (const change of dangerous) console.log(`  dangerous: ${change.message}`);
for (const change of breaking) {
  const recorded = unrecorded.includes(change) ? "NOT RECORDED" : "recorded";
  console.log(`  breaking (${recorded}): ${change.path}: ${change.message}`);
}
if (unrecorded.length) {
  console.error(
    `\n${unrecorded.length} breaking change(s) not recorded in docs/schema/CHANGELOG.md ` +
      "under Unreleased. Avoid the break (deprecate instead), or record each path there.",
  );
  process.exit(1);
}
