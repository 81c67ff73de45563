// Readers of pith's SBOMs for tests/integration/sbom.test.sh, run with node and the npm
// packages it installs (NODE_PATH):
//   cdx-schema FILE   @cyclonedx/cyclonedx-library's JsonStrictValidator for CycloneDX 1.6
//                     (the library's bundled bom-1.6 schema, with ajv as its docs say); prints
//                     "valid" or the errors and exits 1.
//   spdx-read FILE    reads an SPDX 2.3 JSON document as a consumer does, with parsers of its
//                     own for the parts a JSON schema cannot check: every purl parsed by
//                     packageurl-js, every licence expression by spdx-expression-parse (its
//                     LicenseRefs declared in hasExtractedLicensingInfos), every relationship's
//                     two ends found among the elements, element ids unique. Prints a summary
//                     (JSON) or the problems and exits 1.
'use strict';
const fs = require('fs');

async function cdxSchema(file) {
  const CDX = require('@cyclonedx/cyclonedx-library');
  const validator = new CDX.Validation.JsonStrictValidator(CDX.Spec.Version.v1dot6);
  const errors = await validator.validate(fs.readFileSync(file, 'utf8'));
  if (errors === null) {
    console.log('valid');
    return 0;
  }
  console.log(JSON.stringify(errors, null, 2));
  return 1;
}

function spdxRead(file) {
  const { PackageURL } = require('packageurl-js');
  const parseLicense = require('spdx-expression-parse');
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  const problems = [];
  const ids = new Set(['SPDXRef-DOCUMENT']);
  const add = (id) => {
    if (ids.has(id)) problems.push(`duplicate id ${id}`);
    ids.add(id);
  };
  const refs = new Set((doc.hasExtractedLicensingInfos || []).map((x) => x.licenseId));
  const purls = [];
  for (const p of doc.packages || []) {
    add(p.SPDXID);
    for (const r of p.externalRefs || []) {
      if (r.referenceType !== 'purl') continue;
      try {
        PackageURL.fromString(r.referenceLocator);
        purls.push(r.referenceLocator);
      } catch (e) {
        problems.push(`${p.SPDXID}: purl ${r.referenceLocator}: ${e.message}`);
      }
    }
    const l = p.licenseDeclared;
    if (l && l !== 'NOASSERTION' && l !== 'NONE') {
      try {
        const walk = (node) => {
          if (node.license && node.license.startsWith('LicenseRef-') && !refs.has(node.license))
            problems.push(`${p.SPDXID}: ${node.license} is not declared`);
          if (node.left) walk(node.left);
          if (node.right) walk(node.right);
        };
        walk(parseLicense(l));
      } catch (e) {
        problems.push(`${p.SPDXID}: licence "${l}": ${e.message}`);
      }
    }
  }
  for (const f of doc.files || []) add(f.SPDXID);
  const count = {};
  let describes = null;
  for (const r of doc.relationships || []) {
    for (const end of [r.spdxElementId, r.relatedSpdxElement])
      if (!ids.has(end)) problems.push(`relationship names no element: ${end}`);
    count[r.relationshipType] = (count[r.relationshipType] || 0) + 1;
    if (r.relationshipType === 'DESCRIBES') describes = r.relatedSpdxElement;
  }
  if (problems.length) {
    console.log(problems.slice(0, 20).join('\n'));
    return 1;
  }
  console.log(JSON.stringify({
    packages: (doc.packages || []).length,
    files: (doc.files || []).length,
    purls: purls.length,
    describes,
    relationships: count,
  }));
  return 0;
}

(async () => {
  const [mode, file] = process.argv.slice(2);
  let rc = 2;
  if (mode === 'cdx-schema') rc = await cdxSchema(file);
  else if (mode === 'spdx-read') rc = spdxRead(file);
  else console.error('usage: sbom_readers.cjs cdx-schema|spdx-read FILE');
  process.exit(rc);
})();
