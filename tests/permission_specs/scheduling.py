SPECS = {}
KINDS = {}
