import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { MetricsService } from '../services/metrics.service';

/** The route label of requests no route matched: raw paths would make the label set unbounded. */
export const UNMATCHED_ROUTE = '(unmatched)';

/**
 * Times every request to the end of its response. The route label is the matched route's
 * template (`/api/v1/admin/orgs/:orgId/credits`), read when the response finishes — guards,
 * 401s and 429s included, since Nest runs them inside the matched route.
 *
 * Nest mounts middleware as catch-all routes, so `req.route` is this middleware's own route
 * until a controller route takes over; if it is still that one at the end, nothing matched.
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: MetricsService) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const stop = this.metrics.httpDuration.startTimer();
    const ownRoute: unknown = req.route;
    res.once('finish', () => {
      const route: unknown = req.route;
      const template = route !== ownRoute ? (route as { path?: unknown } | undefined)?.path : undefined;
      stop({
        method: req.method,
        route: typeof template === 'string' ? template : UNMATCHED_ROUTE,
        status_code: String(res.statusCode),
      });
    });
    next();
  }
}
