-- Tells DICOM Sidecar about every instance Orthanc stores: the embedded archive's stored-instance event.
-- The scripts that start Orthanc fill in the sidecar's URL. Orthanc runs Lua callbacks on its own event
-- thread, so storing is not held up; a call that fails (sidecar down) is not retried here: the sidecar's
-- reconciliation finds what was missed.
local url = '@SIDECAR_EVENTS_URL@'

function OnStoredInstance(instanceId, tags, metadata, origin)
  local body = '{"studyInstanceUID":"' .. tags['StudyInstanceUID'] ..
      '","seriesInstanceUID":"' .. tags['SeriesInstanceUID'] ..
      '","sopInstanceUID":"' .. tags['SOPInstanceUID'] .. '"}'
  pcall(HttpPost, url, body, { ['Content-Type'] = 'application/json' })
end
