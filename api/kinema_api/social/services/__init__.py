"""Who may do what with comments, reactions, ratings and reviews, and the public shapes
built from the catalog's rows."""
