"""Web views of people and teams: sign-in and second factor (`signin`), teams and invitations (`teams`)."""
