<?php
/*
 * wp-config.php of berth's wordpress stand-in image.  Every setting is read
 * from the container's environment on each request, so a container recreated
 * with other WORDPRESS_* values uses them with the same file:
 *
 *   WORDPRESS_DB_HOST (host or host:port), WORDPRESS_DB_USER,
 *   WORDPRESS_DB_PASSWORD, WORDPRESS_DB_NAME, WORDPRESS_DB_CHARSET,
 *   WORDPRESS_DB_COLLATE, WORDPRESS_TABLE_PREFIX, WORDPRESS_DEBUG,
 *   WORDPRESS_<KEY or SALT>, WORDPRESS_CONFIG_EXTRA (PHP run here);
 *   each NAME can also be given as NAME_FILE, a file holding the value.
 *
 * The keys and salts that have no variable were made random when the
 * entrypoint wrote this file.
 */

if (!function_exists('getenv_docker')) {
	function getenv_docker($name, $default)
	{
		$file = getenv($name . '_FILE');
		if ($file !== false && $file !== '') {
			return rtrim(file_get_contents($file), "\r\n");
		}
		$value = getenv($name);
		return $value === false ? $default : $value;
	}
}

define('DB_NAME', getenv_docker('WORDPRESS_DB_NAME', 'wordpress'));
define('DB_USER', getenv_docker('WORDPRESS_DB_USER', 'example username'));
define('DB_PASSWORD', getenv_docker('WORDPRESS_DB_PASSWORD', 'example password'));
define('DB_HOST', getenv_docker('WORDPRESS_DB_HOST', 'mysql'));
define('DB_CHARSET', getenv_docker('WORDPRESS_DB_CHARSET', 'utf8'));
define('DB_COLLATE', getenv_docker('WORDPRESS_DB_COLLATE', ''));

define('AUTH_KEY', getenv_docker('WORDPRESS_AUTH_KEY', 'put your unique phrase here'));
define('SECURE_AUTH_KEY', getenv_docker('WORDPRESS_SECURE_AUTH_KEY', 'put your unique phrase here'));
define('LOGGED_IN_KEY', getenv_docker('WORDPRESS_LOGGED_IN_KEY', 'put your unique phrase here'));
define('NONCE_KEY', getenv_docker('WORDPRESS_NONCE_KEY', 'put your unique phrase here'));
define('AUTH_SALT', getenv_docker('WORDPRESS_AUTH_SALT', 'put your unique phrase here'));
define('SECURE_AUTH_SALT', getenv_docker('WORDPRESS_SECURE_AUTH_SALT', 'put your unique phrase here'));
define('LOGGED_IN_SALT', getenv_docker('WORDPRESS_LOGGED_IN_SALT', 'put your unique phrase here'));
define('NONCE_SALT', getenv_docker('WORDPRESS_NONCE_SALT', 'put your unique phrase here'));

// Behind a proxy that terminates TLS, WordPress must know the page was https.
if (isset($_SERVER['HTTP_X_FORWARDED_PROTO']) && stripos($_SERVER['HTTP_X_FORWARDED_PROTO'], 'https') !== false) {
	$_SERVER['HTTPS'] = 'on';
}

$berth_extra = getenv_docker('WORDPRESS_CONFIG_EXTRA', '');
if ($berth_extra !== '') {
	eval($berth_extra);
}
unset($berth_extra);

$table_prefix = getenv_docker('WORDPRESS_TABLE_PREFIX', 'wp_');

if (!defined('WP_DEBUG')) {
	define('WP_DEBUG', (bool) getenv_docker('WORDPRESS_DEBUG', ''));
}

if (!defined('ABSPATH')) {
	define('ABSPATH', __DIR__ . '/');
}
require_once ABSPATH . 'wp-settings.php';
