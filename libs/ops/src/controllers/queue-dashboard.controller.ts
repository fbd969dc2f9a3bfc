import { All, Controller, Get, HttpCode, Next, Post, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExcludeEndpoint,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { Public, Role, Roles } from '@app/auth';
import { ErrorEnvelopeDto } from '@app/core';
import { DASHBOARD_COOKIE } from '../http/dashboard-cookie.middleware';
import { NotRateLimited } from '../rate-limit/not-rate-limited.decorator';
import { QueueDashboardService } from '../services/queue-dashboard.service';
import { DASHBOARD_LOGIN_PAGE } from './queue-dashboard.login-page';

/**
 * bull-board at /admin/queues, for admins only: a bearer token, or the cookie that
 * POST /admin/queues/session sets (what a browser uses; /admin/queues/login is its form).
 * The role is required on the class, so bull-board's own routes (the catch-all: assets and
 * actions such as retry, clean, pause) cannot be left open by a forgotten decorator.
 */
@ApiTags('operations')
@Roles(Role.ADMIN)
@ApiBearerAuth()
@NotRateLimited()
@ApiUnauthorizedResponse({ type: ErrorEnvelopeDto, description: 'UNAUTHORIZED: no token, or an invalid one' })
@ApiForbiddenResponse({ type: ErrorEnvelopeDto, description: 'FORBIDDEN: the token is not an admin token' })
@Controller('admin/queues')
export class QueueDashboardController {
  constructor(private readonly dashboard: QueueDashboardService) {}

  @Get()
  @ApiOperation({ summary: 'The queue dashboard (bull-board): every Bull queue, its jobs, retries and failures' })
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'The dashboard page', content: { 'text/html': { schema: { type: 'string' } } } })
  page(@Req() req: Request, @Res() res: Response, @Next() next: NextFunction): void {
    this.dashboard.serve(req, res, next);
  }

  @Get('api/queues')
  @ApiOperation({ summary: "The dashboard's own API: the queues with their job counts (what the page polls)" })
  @ApiOkResponse({
    description: 'bull-board queue list',
    schema: {
      type: 'object',
      required: ['queues'],
      properties: { queues: { type: 'array', items: { type: 'object', additionalProperties: true } } },
    },
  })
  queues(@Req() req: Request, @Res() res: Response, @Next() next: NextFunction): void {
    this.dashboard.serve(req, res, next);
  }

  @Post('session')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Sets the dashboard cookie from the admin bearer token',
    description:
      'HttpOnly, SameSite=Strict, path /admin/queues; lives 15 minutes at most, never past the token expiry.',
  })
  @ApiNoContentResponse({ description: `Set-Cookie: ${DASHBOARD_COOKIE}` })
  openSession(@Req() req: Request, @Res({ passthrough: true }) res: Response): void {
    this.dashboard.openSession(req, res);
  }

  /** The page's scripts, styles and the rest of its API: bull-board's own routes, not part of this API. */
  @All('*path')
  @ApiExcludeEndpoint()
  assets(@Req() req: Request, @Res() res: Response, @Next() next: NextFunction): void {
    this.dashboard.serve(req, res, next);
  }
}

/** The sign-in form is public (it holds no data); the dashboard controller requires the admin role. */
@ApiTags('operations')
@Public()
@NotRateLimited()
@Controller('admin/queues/login')
export class QueueDashboardLoginController {
  @Get()
  @ApiOperation({ summary: 'A sign-in form for the dashboard: paste an admin token, get the cookie' })
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'The sign-in page', content: { 'text/html': { schema: { type: 'string' } } } })
  page(@Res() res: Response): void {
    res.type('html').send(DASHBOARD_LOGIN_PAGE);
  }
}
