"""The catalog as viewers see it: home rows, titles, genres, search and posters."""
