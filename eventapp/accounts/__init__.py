"""Users, roles, sign-in and the permission helper every console view uses."""
