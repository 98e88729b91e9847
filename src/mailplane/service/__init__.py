"""The operations of mailplane, one module per resource; shared by the API and the command."""
