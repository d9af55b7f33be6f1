"""The Distribution kind: a CDN in front of the output.

:mod:`.mapping` turns a spec into CloudFront's configuration and CloudFront's answers
into a status (pure); :mod:`.cloudfront` is the one door to the CloudFront API;
:mod:`.sync` brings one distribution in line with its spec, puts back drifted settings
and takes it down on deletion.
"""
