from . import company
