"""Reading, segmenting and importing documents and tables."""
