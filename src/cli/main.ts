#!/usr/bin/env node
/**
 * The `ali-oss-managed-credentials` command line: `demo` and `doctor`.
 * @packageDocumentation
 */
const command = process.argv[2] ?? 'help';

if (command === 'demo') {
  console.log(
    [
      'ali-oss-managed-credentials demo',
      '',
      'The demo will start the local DKMS and OSS emulators, run a workload through ProxyBucket,',
      'rotate and revoke the AccessKey while it runs, and print what happened.',
      'It is not built yet (see the demo issue); the library and its tests are: run `npm test`.',
    ].join('\n'),
  );
} else {
  console.log('usage: ali-oss-managed-credentials <demo|doctor>');
  process.exitCode = command === 'help' || command === '--help' ? 0 : 2;
}
