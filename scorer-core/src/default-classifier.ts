/**
 * The default page classifier: generic classes that fit most content sites. Operators replace
 * it through configuration; the model's states must cover the classes it produces (a class the
 * model does not know is scored as the model's `other`).
 * @module
 */
import type { ClassifierConfig } from './classifier.js';

/**
 * Static assets by extension (JavaScript regex on the lower-cased path). The VCL's default
 * exclusion regex is this one made case-insensitive for PCRE, so the edge skips exactly what the
 * classifier calls static.
 */
export const STATIC_ASSET_REGEX =
  '\\.(?:css|js|mjs|map|png|jpe?g|gif|svg|ico|webp|avif|bmp|woff2?|ttf|otf|eot|mp4|webm|mp3|ogg|wav)$';

export const DEFAULT_CLASSIFIER: ClassifierConfig = {
  rules: [
    { class: 'static', regex: STATIC_ASSET_REGEX },
    { class: 'robots', exact: '/robots.txt' },
    { class: 'sitemap', regex: '^/sitemap[^/]*\\.xml(?:\\.gz)?$' },
    { class: 'feed', regex: '(?:^|/)(?:feed|rss|atom)(?:/|\\.xml|\\.rss)?$|\\.(?:rss|atom)$' },
    {
      class: 'admin',
      regex:
        '^/(?:wp-admin|wp-login\\.php|xmlrpc\\.php|admin|administrator|phpmyadmin|\\.env|\\.git)(?:/|$)',
    },
    { class: 'api', prefix: '/api/' },
    { class: 'form', methods: ['POST', 'PUT', 'PATCH', 'DELETE'] },
    { class: 'search', regex: '^/(?:search|find)(?:/|$)' },
    {
      class: 'account',
      regex:
        '^/(?:login|logout|signin|sign-in|signup|sign-up|register|account|user|profile|cart|checkout)(?:/|$)',
    },
    {
      class: 'listing',
      regex: '^/(?:tag|tags|category|categories|archive|archives|page|blog)(?:/|$)',
    },
    { class: 'home', regex: '^/(?:index\\.(?:html?|php))?$' },
    { class: 'data', regex: '\\.(?:xml|json|txt|csv|pdf|zip|gz|tar)$' },
    { class: 'section', regex: '^/[^/]+/?$' },
  ],
  defaultClass: 'content',
  // Requests a page makes (XHR/fetch to APIs, data files) are not page views: timing rules and
  // transitions would otherwise flag every single-page app.
  subresourceClasses: ['api', 'data'],
};
