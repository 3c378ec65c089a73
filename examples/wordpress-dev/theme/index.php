<?php
/* The berth-dev theme's only template: the site's title and the posts. */
?><!DOCTYPE html>
<html <?php language_attributes(); ?>>
<head>
<meta charset="<?php bloginfo( 'charset' ); ?>">
<link rel="stylesheet" href="<?php echo esc_url( get_stylesheet_uri() ); ?>">
<?php wp_head(); ?>
</head>
<body <?php body_class(); ?>>
<h1 class="site-title"><?php bloginfo( 'name' ); ?></h1>
<p class="greeting">Hello from the berth-dev theme.</p>
<?php while ( have_posts() ) : the_post(); ?>
<article>
<h2><a href="<?php the_permalink(); ?>"><?php the_title(); ?></a></h2>
<?php the_content(); ?>
</article>
<?php endwhile; ?>
<?php wp_footer(); ?>
</body>
</html>
