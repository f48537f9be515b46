import { REGION_ENTRY_FIELDS } from './config-keys.js';
import { expectBoolean, expectEndpoint, expectReadableFile, expectRegionId } from './config-values.js';
import type { ConfigWarning, RegionConfig } from './provider-config.js';
import { optionalField, requireField, warnUnknownFields, type JsonObject } from './read-json-array.js';

/** Validates entry `index` of `cache_client_region_id` (a KMS OpenAPI region). */
export function readRegion(entry: JsonObject, index: number, baseDir: string, warnings: ConfigWarning[]): RegionConfig {
  const key = 'cache_client_region_id';
  warnUnknownFields(key, index, entry, REGION_ENTRY_FIELDS, [], warnings);
  const at = (name: string) => ({ key, index, field: name });
  const regionId = expectRegionId(requireField(entry, at('regionId')), at('regionId'));
  const endpointValue = optionalField(entry, 'endpoint');
  const vpcValue = optionalField(entry, 'vpc');
  const caValue = optionalField(entry, 'caFilePath');
  const region: RegionConfig = {
    regionId,
    ...(endpointValue === undefined ? {} : { endpoint: expectEndpoint(endpointValue, at('endpoint')) }),
    vpc: vpcValue === undefined ? false : expectBoolean(vpcValue, at('vpc')),
    ...(caValue === undefined ? {} : { caFilePath: expectReadableFile(caValue, at('caFilePath'), baseDir) }),
  };
  if (region.vpc && region.endpoint !== undefined) {
    warnings.push({
      code: 'IgnoredField',
      key,
      index,
      message: `${key}[${index}].vpc is ignored because an endpoint is given`,
    });
  }
  return region;
}
