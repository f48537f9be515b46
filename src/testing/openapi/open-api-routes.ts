import type { OpenApiHandler, OpenApiRoute } from './open-api-call.js';
import { LocalOpenApiError } from './local-open-api-error.js';

/** A route that matched a request, with the values of its path parameters. */
export interface RouteMatch {
  readonly route: OpenApiRoute;
  readonly handler: OpenApiHandler;
  readonly pathParams: Record<string, string>;
}

/** Why no route matched: no route at all, or routes for the action/path exist but for other versions. */
export type RouteMiss = 'not-found' | 'wrong-version';

type PathRouteSpec = Extract<OpenApiRoute, { path: string | RegExp }>;

interface PathRoute {
  readonly route: PathRouteSpec;
  readonly handler: OpenApiHandler;
  readonly match: (pathname: string) => Record<string, string> | undefined;
}

/** Compiles `/a/:name/b` into a matcher returning the named segments (decoded path, one segment each). */
function compilePath(path: string | RegExp): (pathname: string) => Record<string, string> | undefined {
  if (path instanceof RegExp) {
    return (pathname) => {
      const match = path.exec(pathname);
      return match ? { ...match.groups } : undefined;
    };
  }
  const parts = path.split('/');
  return (pathname) => {
    const actual = pathname.split('/');
    if (actual.length !== parts.length) return undefined;
    const params: Record<string, string> = {};
    for (let i = 0; i < parts.length; i++) {
      const expected = parts[i] as string;
      const segment = actual[i] as string;
      if (expected.startsWith(':') && expected.length > 1) {
        if (segment === '') return undefined;
        params[expected.slice(1)] = segment;
      } else if (expected !== segment) return undefined;
    }
    return params;
  };
}

function pathKey(route: PathRouteSpec): string {
  const query = Object.entries(route.query ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => (value === true ? name : `${name}=${value}`))
    .join('&');
  return `${route.method.toUpperCase()} ${String(route.path)}?${query} ${route.version ?? '*'}`;
}

function queryMatches(route: PathRouteSpec, query: Readonly<Record<string, string>>): boolean {
  return Object.entries(route.query ?? {}).every(([name, value]) => query[name] !== undefined && (value === true || query[name] === value));
}

/**
 * The scripted handlers of a LocalOpenApi. A later `add` for the same action and version (or method, path and
 * version) replaces the earlier handler, so a test can re-script an action.
 */
export class OpenApiRoutes {
  readonly #byAction = new Map<string, Map<string, { route: OpenApiRoute; handler: OpenApiHandler }>>();
  readonly #byPath = new Map<string, PathRoute>();

  /** Adds (or replaces) a handler; throws `LocalOpenApi.InvalidArgument` for a route without action or path. */
  add(route: OpenApiRoute, handler: OpenApiHandler): void {
    if (typeof handler !== 'function') throw new LocalOpenApiError('LocalOpenApi.InvalidArgument', 'handler must be a function');
    if ('action' in route && typeof route.action === 'string' && route.action !== '') {
      const versions = this.#byAction.get(route.action) ?? new Map<string, { route: OpenApiRoute; handler: OpenApiHandler }>();
      versions.set(route.version ?? '*', { route, handler });
      this.#byAction.set(route.action, versions);
      return;
    }
    if ('path' in route && (typeof route.path === 'string' ? route.path.startsWith('/') : route.path instanceof RegExp) && route.method) {
      this.#byPath.set(pathKey(route), { route, handler, match: compilePath(route.path) });
      return;
    }
    throw new LocalOpenApiError(
      'LocalOpenApi.InvalidArgument',
      'a route needs an action ({ action }) or an HTTP method and a path starting with / or a RegExp ({ method, path })',
    );
  }

  /** Finds the handler for a request: by action first, then by method and path. */
  find(
    action: string | undefined,
    version: string | undefined,
    method: string,
    pathname: string,
    query: Readonly<Record<string, string>>,
  ): RouteMatch | RouteMiss {
    let miss: RouteMiss = 'not-found';
    if (action !== undefined) {
      const versions = this.#byAction.get(action);
      if (versions) {
        const found = (version !== undefined ? versions.get(version) : undefined) ?? versions.get('*');
        if (found) return { ...found, pathParams: {} };
        miss = 'wrong-version';
      }
    }
    // The most specific route first: the one with the most query conditions.
    const candidates = [...this.#byPath.values()].sort((a, b) => Object.keys(b.route.query ?? {}).length - Object.keys(a.route.query ?? {}).length);
    for (const candidate of candidates) {
      const { route } = candidate;
      if (route.method !== '*' && route.method.toUpperCase() !== method) continue;
      if (!queryMatches(route, query)) continue;
      const pathParams = candidate.match(pathname);
      if (!pathParams) continue;
      if (route.version !== undefined && route.version !== version) {
        miss = 'wrong-version';
        continue;
      }
      return { route, handler: candidate.handler, pathParams };
    }
    return miss;
  }
}
