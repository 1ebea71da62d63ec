// proxy-from-env 1.1.0 ships no type declarations; this is the one function the transport uses.
declare module 'proxy-from-env' {
	/** The proxy URL for a URL from *_PROXY and NO_PROXY (and npm_config_*proxy), or '' for none. */
	export function getProxyForUrl(url: string): string;
}
