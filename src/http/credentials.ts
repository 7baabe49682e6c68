import type { AppConfig } from '../config/index.js';
import { bearerToken } from '../enforcement/index.js';
import type { DeliveredTokens, RequestCredentials } from '../graphql/index.js';
import {
  CSRF_HEADER,
  type CsrfBinding,
  clearAuthCookies,
  fromTrustedPage,
  readAuthCookies,
  setAuthCookies,
} from './security/index.js';

/**
 * A request's credentials as the HTTP layer sees them: the Bearer header, and in cookie mode the
 * Gatehouse cookies and the session-bound CSRF token. One object per request (methods on the
 * prototype, nothing read until asked), handed to GraphQL through the context.
 */
export class HttpCredentials implements RequestCredentials {
  constructor(
    private readonly request: Request,
    private readonly app: AppConfig,
    private readonly binding: CsrfBinding,
  ) {}

  async accessToken(): Promise<string | undefined> {
    const header = this.request.headers.get('authorization');
    if (header !== null) return bearerToken(header);
    return this.app.cookies.enabled ? (await readAuthCookies(this.request, this.app)).access : undefined;
  }

  async refreshCookie(): Promise<string | undefined> {
    // The CSRF guard has already checked any cookie request that reaches GraphQL.
    return this.app.cookies.enabled ? (await readAuthCookies(this.request, this.app)).refresh : undefined;
  }

  fromTrustedPage(): boolean {
    return fromTrustedPage(this.request, this.app);
  }

  csrfBoundTo(sessionId: string): boolean {
    const header = this.request.headers.get(CSRF_HEADER);
    return header !== null && header !== '' && this.binding.matches(header, this.app.slug, sessionId);
  }

  deliver(tokens: DeliveredTokens): Promise<void> {
    return setAuthCookies(this.request, this.app, {
      accessToken: tokens.accessToken,
      accessExpiresAt: tokens.accessExpiresAt,
      refreshToken: tokens.refreshToken,
      refreshExpiresAt: tokens.refreshExpiresAt,
      csrf: this.binding.tokenFor(this.app.slug, tokens.sessionId),
    });
  }

  forget(): Promise<void> {
    return clearAuthCookies(this.request, this.app);
  }
}
