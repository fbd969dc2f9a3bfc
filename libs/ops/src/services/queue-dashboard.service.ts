import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { createBullBoard } from '@bull-board/api';
import { BullAdapter } from '@bull-board/api/bullAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Express, NextFunction, Request, Response } from 'express';
import { decode } from 'jsonwebtoken';
import { AppConfig } from '@app/core';
import { DASHBOARD_COOKIE, DASHBOARD_PATH } from '../http/dashboard-cookie.middleware';
import { QueueRegistry } from './queue-registry.service';

/** The dashboard cookie lives at most this long, and never longer than the token it carries. */
export const DASHBOARD_SESSION_MAX_MS = 15 * 60 * 1000;

/**
 * bull-board over every Bull queue of the app. Its Express app is served from the dashboard
 * controller's routes, not mounted as middleware, so the global guards (JWT, role admin) and
 * the error envelope apply to it like to any other route.
 */
@Injectable()
export class QueueDashboardService implements OnApplicationBootstrap {
  private readonly adapter = new ExpressAdapter().setBasePath(DASHBOARD_PATH);
  private readonly app = this.adapter.getRouter() as Express;

  constructor(
    private readonly queues: QueueRegistry,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    // bull-board's own Express app would add X-Powered-By to every dashboard response.
    this.app.disable('x-powered-by');
    createBullBoard({
      queues: this.queues.queues().map((queue) => new BullAdapter(queue)),
      // @bull-board/express pins its own copy of @bull-board/api (a patch version apart): same
      // interface at runtime, two declarations for the compiler.
      serverAdapter: this.adapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
      options: { uiConfig: { boardTitle: 'Enrichment queues' } },
    });
  }

  /** Hands the request to bull-board, which sees paths relative to the dashboard's base path. */
  serve(req: Request, res: Response, next: NextFunction): void {
    const url = req.url;
    const requestPrototype = Object.getPrototypeOf(req) as object | null;
    const responsePrototype = Object.getPrototypeOf(res) as object | null;
    const rest = url.slice(DASHBOARD_PATH.length);
    req.url = rest.startsWith('/') ? rest : `/${rest}`;
    this.app(req, res, (error?: unknown) => {
      // An Express sub-app swaps the request/response prototypes; put ours back before Nest resumes.
      req.url = url;
      Object.setPrototypeOf(req, requestPrototype);
      Object.setPrototypeOf(res, responsePrototype);
      next(error);
    });
  }

  /** Sets the dashboard cookie to the (already verified) admin token the request carries. */
  openSession(req: Request, res: Response): void {
    const token = (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
    const claims = decode(token, { json: true });
    const tokenLeftMs = typeof claims?.exp === 'number' ? claims.exp * 1000 - Date.now() : 0;
    res.cookie(DASHBOARD_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.config.NODE_ENV === 'production',
      path: DASHBOARD_PATH,
      maxAge: Math.max(0, Math.min(DASHBOARD_SESSION_MAX_MS, tokenLeftMs)),
    });
  }
}
