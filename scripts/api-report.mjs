// The API reports in api/: the public signatures of `pkce-spa`, `pkce-spa/react`, `pkce-spa/vue` and `pkce-spa/testing` as API Extractor
// reads them from dist/types (run `npm run build` first). `npm test` runs this without flags and fails when a report
// differs from the committed one, so a changed public signature shows up in review; `npm run api` (--update)
// rewrites the reports after an intended change.
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CONFIGS = [
  'api-extractor.json',
  'api/api-extractor.react.json',
  'api/api-extractor.vue.json',
  'api/api-extractor.testing.json',
];
const update = process.argv.includes('--update');

let failed = 0;
for (const file of CONFIGS) {
  const config = ExtractorConfig.loadFileAndPrepare(join(ROOT, file));
  const result = Extractor.invoke(config, {
    localBuild: update,
    showVerboseMessages: false,
    messageCallback: (message) => {
      // Only what matters is printed: the summary below names the report that changed.
      if (message.logLevel === 'info' || message.logLevel === 'verbose') message.logLevel = 'none';
    },
  });
  const report = relative(
    ROOT,
    config.reportConfigs[0] ? join(config.reportFolder, config.reportConfigs[0].fileName) : file,
  );
  if (result.apiReportChanged && !update) {
    console.error(
      `api: ${report} differs from the public signatures in dist/types. If the change is intended, run \`npm run api\` and commit the report.`,
    );
    failed += 1;
  } else if (!result.succeeded) {
    console.error(`api: ${file} had ${result.errorCount} errors and ${result.warningCount} warnings`);
    failed += 1;
  }
}
if (failed) process.exitCode = 1;
else console.log(update ? 'api: reports updated in api/' : 'api: reports match the public signatures');
