"""INSi: the SOAP client of the national INS teleservice and its local stand-in."""
