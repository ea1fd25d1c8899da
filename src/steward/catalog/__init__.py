"""Catalog of frameworks, taxonomies and crosswalks shipped as versioned data files."""
