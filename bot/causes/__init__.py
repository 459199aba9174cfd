"""The cause of a complaint asked at closing, and "why did it happen?" asked of a lead."""
