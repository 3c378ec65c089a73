// Validate Kubernetes manifests (multi-document YAML files, or standard
// input) against the Kubernetes API's JSON schemas, as carried by the
// kubernetes-models package.  Independent of berth: it knows nothing of how
// the manifests were made.
//
//   node validate.mjs FILE...       (NODE_PATH is not used by ESM: run it from
//                                    the directory install.sh printed, or set
//                                    BERTH_KUBE_MODELS to it)
// Prints one line per invalid document (file, index, kind/name, the
// schema's message) and exits 1 when any is invalid, 2 on an unknown kind.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import path from "node:path";

const base = process.env.BERTH_KUBE_MODELS;
const need = (m) =>
  import(base ? pathToFileURL(path.join(base, "node_modules", m.split("/")[0], ...m.split("/").slice(1))).href : m);
const { parseAllDocuments } = await import(
  base ? pathToFileURL(path.join(base, "node_modules/yaml/dist/index.js")).href : "yaml"
);

async function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const p = group ? `kubernetes-models/${group}/${version}/${kind}.js` : `kubernetes-models/${version}/${kind}.js`;
  const file = path.join(base || ".", "node_modules", p);
  const mod = await import(pathToFileURL(file).href);
  return mod[kind];
}

let bad = 0, total = 0;
const files = process.argv.slice(2);
for (const f of files.length ? files : ["/dev/stdin"]) {
  const docs = parseAllDocuments(readFileSync(f, "utf8"));
  for (const [i, d] of docs.entries()) {
    if (d.errors.length) {
      console.log(`${f}: document ${i}: YAML: ${d.errors[0].message}`);
      bad++;
      continue;
    }
    const o = d.toJS();
    if (o === null) continue;
    total++;
    let Model;
    try {
      Model = await modelFor(o.apiVersion, o.kind);
    } catch (e) {
      console.log(`${f}: document ${i}: unknown apiVersion/kind ${o.apiVersion}/${o.kind}`);
      process.exit(2);
    }
    try {
      new Model(o).validate();
    } catch (e) {
      bad++;
      console.log(`${f}: document ${i}: ${o.kind}/${o.metadata && o.metadata.name}: ${e.message}`);
    }
  }
}
console.log(`${total} documents, ${bad} invalid`);
process.exit(bad ? 1 : 0);
