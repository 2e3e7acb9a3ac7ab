"""REFI-QDA exchange (QDA-XML 1.0): codebooks as .qdc, projects as .qdpx.

NVivo, ATLAS.ti, MAXQDA and QualCoder read and write these files. What REFI-QDA has no
field for (question modes, code ids and hotkeys, include/exclude notes, a passage's
external id) travels in a ``[coder {...}]`` line at the end of the element's Description,
so a coder project survives a round trip and other programs show readable text.
"""
