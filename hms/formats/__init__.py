"""Django format modules (FORMAT_MODULE_PATH): the house date formats, for every English locale."""
