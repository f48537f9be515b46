import { inspect } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_KEYS, ConfigError, ConfigLoader } from '../../src/config/index.js';
import { parseProperties } from '../../src/config/parse-properties.js';
import { ConfigTestDir } from './config-test-dir.js';

let dir: ConfigTestDir;
beforeAll(() => {
  dir = new ConfigTestDir();
  dir.clientKey('ck.json');
});
afterAll(() => dir.remove());

const keyNames = CONFIG_KEYS.map((spec) => spec.name);
/** Secrets are long and distinctive, so finding one in a message cannot be a coincidence. */
const secretArb = fc.stringMatching(/^[A-Za-z0-9]{6,12}$/).map((tail) => `Sx7${tail}Qz`);

/** Values that are sometimes valid, sometimes wrong in every way the loader must survive. */
const valueArb = fc.oneof(
  fc.string(),
  fc.constantFrom('ak', 'sts', 'client_key', 'ecs_ram_role', 'nope', '1000', '-1', 'true', '[]', '{}', 'ck.json', 'A_B'),
  fc.json(),
  fc.array(
    fc.record(
      {
        regionId: fc.oneof(fc.constant('cn-hangzhou'), fc.string(), fc.integer()),
        endpoint: fc.oneof(fc.constant('kms.example.com:8443'), fc.string()),
        clientKeyFile: fc.oneof(fc.constant('ck.json'), fc.string()),
        passwordFromEnvVariable: fc.oneof(fc.constant('PW'), fc.string()),
        vpc: fc.oneof(fc.boolean(), fc.string()),
        readTimeout: fc.oneof(fc.integer(), fc.double()),
      },
      { requiredKeys: [] },
    ),
  ).map((entries) => JSON.stringify(entries)),
);

const lineArb = fc.oneof(
  fc.tuple(fc.constantFrom(...keyNames), fc.constantFrom('=', ':', ' ', ' = '), valueArb).map(([k, s, v]) => `${k}${s}${v}`),
  fc.string(),
  fc.constantFrom('# comment', '! comment', '[section]', 'a\\', '\\u12', 'x=\\uZZZZ'),
);

let loaded = 0;

function check(run: () => unknown, secrets: string[]): void {
  let shown: string;
  try {
    const config = run();
    loaded++;
    shown = `${JSON.stringify(config)}\n${inspect(config, { depth: null, showHidden: true })}`;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    shown = `${error.message}\n${inspect(error, { depth: null })}\n${JSON.stringify(error)}`;
  }
  for (const secret of secrets) expect(shown).not.toContain(secret);
}

describe('configuration parsing (property-based)', () => {
  it('parseProperties never throws anything but ConfigError', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(lineArb, fc.string({ unit: 'binary' })), { maxLength: 12 }),
        fc.constantFrom('\n', '\r\n', '\r'),
        (lines, separator) => {
        try {
          parseProperties(lines.join(separator));
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
        }
      },
      ),
      { numRuns: 300, seed: 20_260_401 },
    );
  });

  it('ConfigLoader.load throws only ConfigError and never shows a secret, from the file, env and code', () => {
    let run = 0;
    fc.assert(
      fc.property(
        fc.array(lineArb, { maxLength: 10 }),
        fc.dictionary(fc.constantFrom(...keyNames), valueArb, { maxKeys: 4 }),
        fc.dictionary(fc.constantFrom(...keyNames), fc.oneof(valueArb, fc.integer(), fc.boolean()), { maxKeys: 4 }),
        secretArb,
        secretArb,
        secretArb,
        secretArb,
        fc.boolean(),
        (lines, env, options, accessSecret, tokenSecret, password, strayLine, passwordAsName) => {
          // A password put where an env var NAME belongs must not be echoed either.
          const nameField = passwordAsName ? `,"passwordFromEnvVariable":"${password}"` : '';
          const file = dir.properties(
            [
              ...lines,
              `credentials_access_secret=${accessSecret}`,
              `credentials_access_token=${tokenSecret}`,
              strayLine,
              `cache_client_dkms_config_info=[{"regionId":"r","endpoint":"e.example.com","clientKeyFile":"ck.json","password":"${password}"${nameField}}]`,
            ].join('\n'),
            `run-${run++}.properties`,
          );
          const secrets = [accessSecret, tokenSecret, password, strayLine];
          check(
            () =>
              ConfigLoader.load({
                cwd: dir.path,
                configName: file,
                env: { ...env, ...(passwordAsName ? {} : { client_key_password: password }), PW: password },
                options: { ...options, credentials_access_secret: accessSecret },
              }),
            secrets,
          );
        },
      ),
      { numRuns: 300, seed: 20_260_401 },
    );
    // Both outcomes are exercised: valid configurations load, broken ones throw.
    expect(loaded).toBeGreaterThan(0);
  });
});
